import { watermark as contract, type Position } from '../../shared/operations/watermark.ts';
import { distinctLines, isResourceFailure } from '../failure-class.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying, StepInputError, type OperationContext, type RawImage, type RgbaImage } from './types.ts';

export const watermark = applying(contract, async (image, p, ctx) => {
  const margin = p.margin ?? 16;
  const mark = p.text !== undefined
    ? await ctx.drawText(p.text, Math.max(1, image.width - 2 * margin), { fontSize: p.size ?? 24, color: p.color ?? '#ffffff' })
    : await loadImage(ctx, p.image!, p.size ?? Math.max(1, Math.round(image.width / 4)), image);
  if (mark.width > image.width || mark.height > image.height) {
    throw new StepInputError(`the watermark is ${mark.width}x${mark.height}, larger than the ${image.width}x${image.height} image`);
  }
  fade(mark.rgba, p.opacity ?? 0.5);
  const input = { input: mark.rgba, raw: { width: mark.width, height: mark.height, channels: 4 as const } };
  const place = p.tile ? { tile: true } : placeAt(p.position ?? 'bottom-right', margin, mark, image);
  return toRaw(fromRaw(ctx, image).composite([{ ...input, ...place }]));
});

/** Decodes the watermark image part, EXIF-oriented, scaled to `width` (and to fit inside the photo). */
async function loadImage(ctx: OperationContext, name: string, width: number, photo: RawImage): Promise<RgbaImage> {
  const bytes = ctx.files[name];
  if (!bytes) throw new StepInputError(`no file part named "${name}" came with the upload`);
  try {
    const { data, info } = await ctx
      .sharp(bytes, { limitInputPixels: ctx.limits.maxPixels })
      .rotate()
      .resize({ width: Math.min(width, photo.width), height: photo.height, fit: 'inside' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { rgba: data, width: info.width, height: info.height };
  } catch (cause) {
    if (isResourceFailure(cause)) throw cause;
    throw new StepInputError(`the watermark image "${name}" is damaged or not an image and cannot be decoded`, {
      detail: distinctLines((cause as Error).message),
    });
  }
}

/** Scales the alpha channel in place. */
function fade(rgba: Buffer, opacity: number): void {
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = Math.round(rgba[i]! * opacity);
}

/** Top-left corner of the mark at a compass position, `margin` from the edges it touches. */
export function placeAt(position: Position, margin: number, mark: { width: number; height: number }, image: RawImage) {
  const spanX = image.width - mark.width;
  const spanY = image.height - mark.height;
  const along = (span: number, edge: 'start' | 'middle' | 'end') =>
    edge === 'start' ? Math.min(margin, span) : edge === 'end' ? Math.max(0, span - margin) : Math.floor(span / 2);
  const x = position.endsWith('left') ? 'start' : position.endsWith('right') ? 'end' : 'middle';
  const y = position.startsWith('top') ? 'start' : position.startsWith('bottom') ? 'end' : 'middle';
  return { left: along(spanX, x), top: along(spanY, y) };
}
