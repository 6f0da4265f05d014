import { Type } from '@sinclair/typebox';
import { FILE_PART_PATTERN } from '../messages.ts';
import { Colour } from './colour.ts';
import { defineOperation } from './types.ts';

export const POSITIONS = ['top-left', 'top', 'top-right', 'left', 'centre', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const;
export type Position = (typeof POSITIONS)[number];
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
});
