import sharp from 'sharp';
import type { Config } from '../shared/config.ts';
import { captionOptionsOf } from '../processor/caption/options.ts';
import { createCaptionRenderer, type CaptionTimings } from '../processor/caption/renderer.ts';
import { makeCaptions } from './captions.ts';
import { ms, percentile, textTable, markdownTable } from './stats.ts';

const STAGES: Array<keyof CaptionTimings> = ['decode', 'layout', 'rasterize', 'compose', 'encode'];

export interface RenderBenchResult {
  iterations: number;
  photo: string;
  jpeg: { quality: number; optimiseCoding: boolean };
  /** Per stage, then `wall` (measured around render()) and `cpu` (process CPU time during it). */
  caption: Record<string, number[]>;
  plain: number[];
  plainCpu: number[];
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
  const renderer = await createCaptionRenderer(captionOptionsOf(config));
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

  const result: RenderBenchResult = { iterations, photo: photoPath, jpeg, caption: {}, plain: [], plainCpu: [], bandHeights: [] };
  for (const key of [...STAGES, 'wall', 'cpu']) result.caption[key] = [];
  // CPU time of the whole process (all threads) in ms: the decode overlaps the
  // layout on another thread, so wall time alone would hide work done.
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let i = 0; i < iterations; i++) {
    const c0 = cpuNow();
    const t0 = performance.now();
    const out = await renderer.render(photo, captions[i]!);
    const t1 = performance.now();
    const c1 = cpuNow();
    await plain();
    const t2 = performance.now();
    const c2 = cpuNow();
    for (const stage of STAGES) result.caption[stage]!.push(out.timings[stage]);
    result.caption.wall!.push(t1 - t0);
    result.caption.cpu!.push(c1 - c0);
    result.plain.push(t2 - t1);
    result.plainCpu.push(c2 - c1);
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
  const median = (v: number[]) => percentile(sorted(v), 50);
  return [
    ...STAGES.map((stage) => row(`caption: ${stage}${stage === 'decode' ? ' (overlaps layout + rasterize)' : ''}`, r.caption[stage]!)),
    row('caption: render() wall time', r.caption.wall!),
    row('caption: render() CPU time, all threads', r.caption.cpu!),
    row('plain sharp decode + encode, wall time', r.plain),
    row('plain sharp decode + encode, CPU time', r.plainCpu),
    ['ratio caption/plain, wall time (medians)', `${(median(r.caption.wall!) / median(r.plain)).toFixed(2)}x`, ''],
    ['ratio caption/plain, CPU time (medians)', `${(median(r.caption.cpu!) / median(r.plainCpu)).toFixed(2)}x`, ''],
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
