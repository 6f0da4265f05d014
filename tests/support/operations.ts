import { join } from 'node:path';
import sharp from 'sharp';
import type { CaptionOptions } from '../../processor/caption/options.ts';
import { createCaptionRenderer } from '../../processor/caption/renderer.ts';
import type { OperationContext, RawImage } from '../../processor/operations/types.ts';

const ROOT = join(import.meta.dir, '../..');

/** The caption settings the tests use: the shipped font and the default config. */
export const TEST_CAPTION_OPTIONS: CaptionOptions = {
  fontFile: join(ROOT, 'fonts/DejaVuSans.ttf'),
  fontSize: 12,
  padding: 8,
  lineHeight: 1.3,
  jpegQuality: 85,
  jpegOptimiseCoding: false,
  jpegProgressive: false,
  maxInputPixels: 50_000_000,
};

/** What the processor hands a step, built from the real renderer's drawing. */
export async function operationContext(over: Partial<OperationContext> = {}): Promise<OperationContext> {
  const renderer = await createCaptionRenderer(TEST_CAPTION_OPTIONS);
  return {
    sharp,
    ...renderer.drawing,
    description: 'A test description',
    files: {},
    caption: { fontSize: 12, padding: 8 },
    limits: { maxPixels: 50_000_000, maxSide: 65_535 },
    ...over,
  };
}

/** A fixture from tests/fixtures, decoded as the pipeline decodes it. */
export async function rawFixture(name: string): Promise<RawImage> {
  return rawOf(await Bun.file(join(ROOT, 'tests/fixtures', name)).bytes());
}

export async function rawOf(bytes: Uint8Array): Promise<RawImage> {
  const { data, info } = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** A plain image of one colour, as raw pixels. */
export async function rawPlain(width: number, height: number, background: string): Promise<RawImage> {
  const data = await sharp({ create: { width, height, channels: 3, background } }).raw().toBuffer();
  return { data, width, height };
}

/** The RGB of pixel (x, y). */
export function pixel(image: RawImage, x: number, y: number): [number, number, number] {
  const o = (y * image.width + x) * 3;
  return [image.data[o]!, image.data[o + 1]!, image.data[o + 2]!];
}

/** Mean absolute difference per channel inside (or, with `outside`, outside) a rectangle of two same-sized images. */
export function meanDifference(
  a: RawImage,
  b: RawImage,
  rect: { left: number; top: number; width: number; height: number },
  outside = false,
): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const inside = x >= rect.left && x < rect.left + rect.width && y >= rect.top && y < rect.top + rect.height;
      if (inside === outside) continue;
      const o = (y * a.width + x) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[o + c]! - b.data[o + c]!);
      n += 3;
    }
  }
  return n === 0 ? 0 : sum / n;
}
