import { readFile } from 'node:fs/promises';
import { createLayout } from './layout.ts';
import { rasterizeBand } from './band.ts';
import { decodePhoto, encodeJpeg, stackBand } from './photo.ts';
import type { CaptionOptions, CaptionResult } from './options.ts';

export type { CaptionOptions, CaptionResult, CaptionTimings } from './options.ts';

export interface CaptionRenderer {
  /** Returns the photo with a black band underneath holding `description` in white. */
  render(image: Uint8Array, description: string): Promise<CaptionResult>;
  /** The first satori render costs 150-200 ms; pay it at start, not on a user's job. */
  warmUp(): Promise<void>;
}

/** Loads the font once; the returned renderer is reused for every message. */
export async function createCaptionRenderer(options: CaptionOptions): Promise<CaptionRenderer> {
  const font = await readFile(options.fontFile).catch((cause) => {
    throw new Error(`cannot read FONT_FILE ${options.fontFile}: ${(cause as Error).message}`, { cause });
  });
  const fontData = font.buffer.slice(font.byteOffset, font.byteOffset + font.byteLength) as ArrayBuffer;
  const layout = createLayout(fontData, options);
  const jpeg = { quality: options.jpegQuality, optimiseCoding: options.jpegOptimiseCoding, progressive: options.jpegProgressive };

  async function render(image: Uint8Array, description: string): Promise<CaptionResult> {
    const t0 = performance.now();
    const photo = await decodePhoto(image, options.maxInputPixels);
    const t1 = performance.now();
    const { svg, height: bandHeight } = await layout(description, photo.width);
    const t2 = performance.now();
    const band = rasterizeBand(svg, photo.width, bandHeight);
    const t3 = performance.now();
    const stacked = stackBand(photo, band, bandHeight);
    const t4 = performance.now();
    const out = await encodeJpeg(stacked, jpeg);
    const t5 = performance.now();
    return {
      jpeg: out,
      width: photo.width,
      height: stacked.height,
      bandHeight,
      timings: { decode: t1 - t0, layout: t2 - t1, rasterize: t3 - t2, compose: t4 - t3, encode: t5 - t4 },
    };
  }

  return {
    render,
    async warmUp() {
      await layout('Warm-up: Аа Бб 0123456789', 320);
    },
  };
}
