import sharp from 'sharp';
import type { Config } from '../shared/config.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../shared/formats.ts';
import { captionOptionsOf } from '../processor/caption/options.ts';
import { decodePhoto } from '../processor/caption/photo.ts';
import { createCaptionRenderer } from '../processor/caption/renderer.ts';
import { encode } from '../processor/encode.ts';
import { APPLIED_OPERATIONS } from '../processor/operations/index.ts';
import type { OperationContext, RawImage } from '../processor/operations/types.ts';
import { markdownTable, ms, percentile, textTable } from './stats.ts';

export interface OperationsBenchResult {
  iterations: number;
  photo: string;
  /** Per row label ("resize {"width":320}", "encode webp"), the ms of each iteration. */
  costs: Array<{ label: string; values: number[] }>;
}

/**
 * The cost of each registered operation, with its example parameters, on
 * one decoded photo: raw pixels in, raw pixels out, as in a pipeline. The
 * decode every pipeline pays once and the encode of each output format are
 * rows of their own (the format step itself changes no pixel).
 */
export async function runOperationsBench(config: Config, photoPath: string, iterations: number): Promise<OperationsBenchResult> {
  const input = new Uint8Array(await Bun.file(photoPath).arrayBuffer());
  const options = captionOptionsOf(config);
  const renderer = await createCaptionRenderer(options);
  await renderer.warmUp();
  const decoded = await decodePhoto(input, config.maxInputPixels);
  const photo: RawImage = { data: decoded.rgb, width: decoded.width, height: decoded.height };
  const ctx: OperationContext = {
    sharp,
    ...renderer.drawing,
    description: 'A cat on a windowsill, watching the birds outside',
    files: {},
    caption: { fontSize: config.fontSize, padding: config.captionPadding },
    limits: { maxPixels: config.maxInputPixels, maxSide: 65_535 },
  };
  const jpeg = { quality: config.jpegQuality, optimiseCoding: config.jpegOptimiseCoding, progressive: config.jpegProgressive };
  const tasks: Array<{ label: string; run: () => Promise<unknown> }> = [
    { label: 'decode (once per pipeline)', run: () => decodePhoto(input, config.maxInputPixels) },
    ...APPLIED_OPERATIONS.filter((o) => o.name !== 'format').map((o) => ({
      label: `${o.name} ${JSON.stringify(o.example)}`,
      run: () => o.apply(photo, o.example, ctx),
    })),
    ...(Object.keys(OUTPUT_FORMATS) as OutputFormat[]).map((type) => ({
      label: `format ${type} (the encode)`,
      run: () => encode(photo, { type }, jpeg),
    })),
  ];
  const result: OperationsBenchResult = { iterations, photo: photoPath, costs: tasks.map((t) => ({ label: t.label, values: [] })) };
  for (const task of tasks) await task.run(); // past first-call costs
  // Round-robin, so drift in machine load hits every operation alike.
  for (let i = 0; i < iterations; i++) {
    for (const [j, task] of tasks.entries()) {
      const t0 = performance.now();
      await task.run();
      result.costs[j]!.values.push(performance.now() - t0);
    }
  }
  return result;
}

function rows(r: OperationsBenchResult): string[][] {
  return r.costs.map(({ label, values }) => {
    const s = [...values].sort((a, b) => a - b);
    return [label, ms(percentile(s, 50), 2), ms(percentile(s, 95), 2)];
  });
}

function heading(r: OperationsBenchResult): string {
  return `${r.iterations} iterations of each on ${r.photo.replace(/^.*\/tests\//, 'tests/')}, decoded once; raw pixels in and out`;
}

export function operationsBenchText(r: OperationsBenchResult): string {
  return `${heading(r)}\n${textTable(['operation', 'median', 'p95'], rows(r))}`;
}

export function operationsBenchMarkdown(r: OperationsBenchResult): string {
  return `${heading(r)}.\n\n${markdownTable(['operation', 'median', 'p95'], rows(r))}`;
}
