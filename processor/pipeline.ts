import sharp from 'sharp';
import type { OutputFormat } from '../shared/formats.ts';
import type { CaptionOptions } from './caption/options.ts';
import { decodePhoto, JPEG_MAX_DIMENSION, readPhotoHeader } from './caption/photo.ts';
import { encode, type EncodeSpec } from './encode.ts';
import { stepFailure } from './failure-class.ts';
import { makeThumbnail } from './thumbnail.ts';
import type { Step } from '../shared/operations/steps.ts';
import { appliedOperation } from './operations/index.ts';
import type { OperationContext, RawImage } from './operations/types.ts';

export interface PipelineJob {
  description: string;
  files: Record<string, Uint8Array>;
  /** Told before each step starts, e.g. to show it in the job's status. */
  onStep?(label: string): Promise<void>;
}

export interface PipelineResult {
  bytes: Buffer;
  width: number;
  height: number;
  format: OutputFormat;
  /** The result's thumbnail (JPEG, at most 320 px), made from the final rows. */
  thumbnail: Buffer;
  /** Milliseconds: decode, each step as `<n> <op>`, encode, total. */
  timings: Record<string, number>;
}

/** "3/5 resize": the step's place and name, as status and errors show it. */
export const stepLabel = (index: number, count: number, op: string) => `${index + 1}/${count} ${op}`;

/**
 * Runs user-chosen steps with one decode and one encode: the photo is
 * decoded once to raw pixels (EXIF orientation applied first), each step
 * turns raw pixels into raw pixels in the order given — one sharp call per
 * step, because sharp reorders operations chained in one call — and the
 * result is encoded once, as the final `format` step says (JPEG otherwise).
 */
export function createPipeline(options: CaptionOptions, drawing: Pick<OperationContext, 'drawBand' | 'drawText'>) {
  const limits = { maxPixels: options.maxInputPixels, maxSide: JPEG_MAX_DIMENSION };
  const jpeg = { quality: options.jpegQuality, optimiseCoding: options.jpegOptimiseCoding, progressive: options.jpegProgressive };
  const caption = { fontSize: options.fontSize, padding: options.padding };
  return async function run(input: Uint8Array, steps: Step[], job: PipelineJob): Promise<PipelineResult> {
    const t0 = performance.now();
    const timings: Record<string, number> = {};
    await readPhotoHeader(input, options.maxInputPixels);
    const photo = await decodePhoto(input, options.maxInputPixels);
    let image: RawImage = { data: photo.rgb, width: photo.width, height: photo.height };
    timings.decode = performance.now() - t0;
    const ctx: OperationContext = { sharp, ...drawing, description: job.description, files: job.files, caption, limits };
    for (const [i, step] of steps.entries()) {
      const label = stepLabel(i, steps.length, step.op);
      await job.onStep?.(label);
      const t = performance.now();
      try {
        image = await appliedOperation(step.op).apply(image, step.params as never, ctx);
      } catch (cause) {
        throw stepFailure(cause, `step ${label}`);
      }
      timings[`${i + 1} ${step.op}`] = performance.now() - t;
    }
    const last = steps.at(-1);
    const spec: EncodeSpec = last?.op === 'format' ? (last.params as unknown as EncodeSpec) : { type: 'jpeg' };
    const t = performance.now();
    let bytes: Buffer;
    // The encode is handed to libvips first, so the thumbnail's shrink on this thread runs beside it.
    const encoding = (async () => encode(image, spec, jpeg))();
    const thumbnailing = makeThumbnail({ rgb: image.data, width: image.width, height: image.height });
    try {
      bytes = await encoding;
    } catch (cause) {
      thumbnailing.catch(() => {}); // the encode's failure is the one to report
      throw stepFailure(cause, `encoding as ${spec.type}`);
    }
    const thumbnail = await thumbnailing;
    timings.encode = performance.now() - t;
    timings.total = performance.now() - t0;
    return { bytes, thumbnail, width: image.width, height: image.height, format: spec.type, timings };
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
