import { Type } from '@sinclair/typebox';
import { FILE_PART_PATTERN } from '../../shared/messages.ts';
import { distinctLines, isResourceFailure } from '../failure-class.ts';
import { Colour } from './colour.ts';
import { fromRaw, toRaw } from './raw.ts';
import { defineOperation, StepInputError, type OperationContext, type RawImage, type RgbaImage } from './types.ts';

const POSITIONS = ['top-left', 'top', 'top-right', 'left', 'centre', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const;
type Position = (typeof POSITIONS)[number];
// As for captions: a larger font would make the laid-out text, rasterized whole, huge.
const MAX_FONT_SIZE = 200;

export const watermark = defineOperation({
  name: 'watermark',
  summary:
    'Lay text, or an image sent as another file part of the upload, over the photo: semi-transparent, at a position or tiled over the whole photo.',
  example: { text: '© kadr', opacity: 0.5, size: 24, position: 'bottom-right' },
  params: Type.Object(
    {
      text: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the text to lay over (or give image)' })),
      image: Type.Optional(
        Type.String({ pattern: FILE_PART_PATTERN, description: 'name of the multipart file part holding the watermark image (or give text)' }),
      ),
      opacity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: '0 (invisible) to 1 (opaque)' })),
      size: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 16_384, description: `text: font size in px, at most ${MAX_FONT_SIZE} (default 24); image: width in px (default a quarter of the photo's width)` }),
      ),
      position: Type.Optional(Type.Union(POSITIONS.map((p) => Type.Literal(p)), { default: 'bottom-right', description: 'where it goes (unless tiled)' })),
      tile: Type.Optional(Type.Boolean({ default: false, description: 'repeat it over the whole photo' })),
      margin: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 16, description: 'px from the edges at its position' })),
      color: Type.Optional(Colour('#ffffff', 'text colour')),
    },
    { additionalProperties: false },
  ),
  check(p) {
    if ((p.text === undefined) === (p.image === undefined)) return { param: 'text', message: 'give either text or image (a file part name), exactly one' };
    if (p.image !== undefined && p.color !== undefined) return { param: 'color', message: 'applies to a text watermark only' };
    if (p.text !== undefined && p.size !== undefined && p.size > MAX_FONT_SIZE) {
      return { param: 'size', message: `a text watermark's font size is at most ${MAX_FONT_SIZE} px, got ${p.size}` };
    }
    return undefined;
  },
  files: (p) => (p.image === undefined ? [] : [p.image]),
  async apply(image, p, ctx) {
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
  },
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
