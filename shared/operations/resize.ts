import { Type } from '@sinclair/typebox';
import { Colour } from './colour.ts';
import { Side } from './size.ts';
import { defineOperation } from './types.ts';

const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;

export const resize = defineOperation({
  name: 'resize',
  summary: 'Scale to a width and/or height; with one of them the other keeps the aspect ratio.',
  example: { width: 320 },
  params: Type.Object(
    {
      width: Type.Optional(Side('target width')),
      height: Type.Optional(Side('target height')),
      fit: Type.Optional(
        Type.Union(FITS.map((f) => Type.Literal(f)), {
          default: 'cover',
          description: 'how the image fits both dimensions: cover crops, contain letterboxes, fill stretches, inside/outside keep the aspect ratio',
        }),
      ),
      enlarge: Type.Optional(Type.Boolean({ default: false, description: 'allow a result larger than the image; by default a smaller image is left as it is' })),
      background: Type.Optional(Colour('#000000', 'letterbox colour for fit contain')),
    },
    { additionalProperties: false },
  ),
  check: (p) => (p.width === undefined && p.height === undefined ? { param: 'width', message: 'give width, height or both' } : undefined),
});
