import { readFile } from 'node:fs/promises';
import type { OperationContext } from '../operations/types.ts';
import { createDrawing } from './draw.ts';
import { createLayout } from './layout.ts';
import { rasterizeBandRgba } from './band.ts';
import { RawBufferPool } from './raw-buffer-pool.ts';
import { decodePhoto, encodeJpeg, readPhotoHeader, stackBand } from './photo.ts';
import type { CaptionOptions, CaptionResult } from './options.ts';
import { makeThumbnail } from '../thumbnail.ts';

export type { CaptionOptions, CaptionResult, CaptionTimings } from './options.ts';

export interface CaptionRenderer {
  /** Returns the photo with a black band underneath holding `description` in white. */
  render(image: Uint8Array, description: string): Promise<CaptionResult>;
  /** The first satori render costs 150-200 ms; pay it at start, not on a user's job. */
  warmUp(): Promise<void>;
  /** Bands and text in any style on the same font, for pipeline steps. */
  drawing: Pick<OperationContext, 'drawBand' | 'drawText'>;
}

/** Loads the font once; the returned renderer is reused for every message. */
export async function createCaptionRenderer(options: CaptionOptions): Promise<CaptionRenderer> {
  const font = await readFile(options.fontFile).catch((cause) => {
    throw new Error(`cannot read FONT_FILE ${options.fontFile}: ${(cause as Error).message}`, { cause });
  });
  const fontData = font.buffer.slice(font.byteOffset, font.byteOffset + font.byteLength) as ArrayBuffer;
  const layout = createLayout(fontData, options);
  const pool = new RawBufferPool();
  const jpeg = { quality: options.jpegQuality, optimiseCoding: options.jpegOptimiseCoding, progressive: options.jpegProgressive };

  /** Lays out and rasterizes the band (RGBA) for a photo `width` pixels wide, on the JS thread. */
  async function drawBand(description: string, width: number) {
    const t0 = performance.now();
    const { svg, height } = await layout(description, width);
    const t1 = performance.now();
    const pixels = rasterizeBandRgba(svg, width, height);
    return { pixels, height, layoutMs: t1 - t0, rasterizeMs: performance.now() - t1 };
  }

  async function render(image: Uint8Array, description: string): Promise<CaptionResult> {
    const t0 = performance.now();
    const header = await readPhotoHeader(image, options.maxInputPixels);
    // The photo decodes on libvips' threads while satori and resvg draw the
    // band on this one: the two halves of the work overlap instead of adding up.
    let decodedAt = 0;
    const decoding = decodePhoto(image, options.maxInputPixels).then((photo) => {
      decodedAt = performance.now();
      return photo;
    });
    // Awaited below; this only keeps a decode failure from counting as
    // unhandled while the band is still being drawn.
    decoding.catch(() => {});
    let band = await drawBand(description, header.width);
    const photo = await decoding;
    // The header's oriented size should always match; if a format ever
    // disagrees, the band is redrawn rather than stacked at the wrong width.
    if (photo.width !== header.width) band = await drawBand(description, photo.width);
    const t3 = performance.now();
    const stacked = stackBand(photo, band.pixels, band.height, pool);
    const t4 = performance.now();
    // The thumbnail is shrunk on this thread while libvips encodes the result.
    const [out, thumbnail] = await Promise.all([encodeJpeg(stacked, jpeg), makeThumbnail(stacked)]).finally(stacked.release);
    const t5 = performance.now();
    return {
      jpeg: out,
      thumbnail,
      width: photo.width,
      height: stacked.height,
      bandHeight: band.height,
      timings: {
        decode: decodedAt - t0,
        layout: band.layoutMs,
        rasterize: band.rasterizeMs,
        compose: t4 - t3,
        encode: t5 - t4,
        total: t5 - t0,
      },
    };
  }

  return {
    render,
    drawing: createDrawing(layout),
    async warmUp() {
      await layout('Warm-up: Аа Бб 0123456789', 320);
    },
  };
}
