import sharp from 'sharp';
import type { Config } from '../shared/config.ts';
import { createCaptionRenderer, type CaptionTimings } from '../processor/caption/renderer.ts';
import { makeCaptions } from './captions.ts';
import { ms, percentile, textTable, markdownTable } from './stats.ts';

const STAGES: Array<keyof CaptionTimings> = ['decode', 'layout', 'rasterize', 'compose', 'encode'];

export interface RenderBenchResult {
  iterations: number;
  photo: string;
  jpeg: { quality: number; optimiseCoding: boolean };
  /** Per stage, then `total` (sum of the stages) and `wall` (measured around render()). */
  caption: Record<string, number[]>;
  plain: number[];
  bandHeights: number[];
}

/**
 * The caption renderer in this process on one photo, one render at a time,
 * against sharp's plain decode + JPEG encode of the same photo with the same
 * JPEG settings. The two alternate per iteration, so drift in machine load
 * hits both alike.
 */
export async function runRenderBench(config: Config, photoPath: string, iterations: number): Promise<RenderBenchResult> {
  const photo = new Uint8Array(await Bun.file(photoPath).arrayBuffer());
  const renderer = await createCaptionRenderer({
    fontFile: config.fontFile,
    fontSize: config.fontSize,
    padding: config.captionPadding,
    lineHeight: config.captionLineHeight,
    jpegQuality: config.jpegQuality,
    jpegOptimiseCoding: config.jpegOptimiseCoding,
    jpegProgressive: config.jpegProgressive,
    maxInputPixels: config.maxInputPixels,
  });
  await renderer.warmUp();
  const jpeg = { quality: config.jpegQuality, optimiseCoding: config.jpegOptimiseCoding };
  const plain = () =>
    sharp(photo).jpeg({ ...jpeg, progressive: config.jpegProgressive, mozjpeg: false }).toBuffer();

  const captions = makeCaptions(iterations, 7);
  // A few untimed rounds of each, so both paths are past first-call costs.
  for (let i = 0; i < 5; i++) {
    await renderer.render(photo, captions[i % captions.length]!);
    await plain();
  }

  const result: RenderBenchResult = { iterations, photo: photoPath, jpeg, caption: {}, plain: [], bandHeights: [] };
  for (const key of [...STAGES, 'total', 'wall']) result.caption[key] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const out = await renderer.render(photo, captions[i]!);
    const t1 = performance.now();
    await plain();
    const t2 = performance.now();
    let total = 0;
    for (const stage of STAGES) {
      result.caption[stage]!.push(out.timings[stage]);
      total += out.timings[stage];
    }
    result.caption.total!.push(total);
    result.caption.wall!.push(t1 - t0);
    result.plain.push(t2 - t1);
    result.bandHeights.push(out.bandHeight);
  }
  return result;
}

function rows(r: RenderBenchResult): string[][] {
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
  const row = (name: string, values: number[]) => {
    const s = sorted(values);
    return [name, ms(percentile(s, 50), 2), ms(percentile(s, 95), 2)];
  };
  const captionMedian = percentile(sorted(r.caption.wall!), 50);
  const plainMedian = percentile(sorted(r.plain), 50);
  return [
    ...STAGES.map((stage) => row(`caption: ${stage}`, r.caption[stage]!)),
    row('caption: total (sum of stages)', r.caption.total!),
    row('caption: render() wall time', r.caption.wall!),
    row('plain sharp decode + encode', r.plain),
    ['ratio caption/plain (medians of wall times)', `${(captionMedian / plainMedian).toFixed(2)}x`, ''],
  ];
}

function heading(r: RenderBenchResult): string {
  const bands = [...r.bandHeights].sort((a, b) => a - b);
  return (
    `${r.iterations} iterations on ${r.photo.replace(/^.*\/tests\//, 'tests/')}, captions 40-200 chars ` +
    `(band ${bands[0]}-${bands.at(-1)} px), JPEG quality ${r.jpeg.quality}, optimiseCoding ${r.jpeg.optimiseCoding}`
  );
}

export function renderBenchText(r: RenderBenchResult): string {
  return `${heading(r)}\n${textTable(['stage', 'median', 'p95'], rows(r))}`;
}

export function renderBenchMarkdown(r: RenderBenchResult): string {
  return `${heading(r)}.\n\n${markdownTable(['stage', 'median', 'p95'], rows(r))}`;
}
