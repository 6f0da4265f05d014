import { Type } from '@sinclair/typebox';
import { Colour, parseColour } from './colour.ts';
import { fromRaw, toRaw } from './raw.ts';
import { requireWithinLimits, Side } from './size.ts';
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
  async apply(image, p, ctx) {
    const target = expectedSize(image.width, image.height, p.width, p.height, p.fit ?? 'cover', p.enlarge ?? false);
    requireWithinLimits(target.width, target.height, ctx);
    return toRaw(
      fromRaw(ctx, image).resize({
        width: p.width,
        height: p.height,
        fit: p.fit ?? 'cover',
        withoutEnlargement: !(p.enlarge ?? false),
        background: parseColour(p.background ?? '#000000'),
      }),
    );
  },
});

/**
 * An upper bound of the result's size, for refusing it before sharp makes
 * it: exact for one dimension or cover/contain/fill, generous for outside.
 */
function expectedSize(w: number, h: number, tw: number | undefined, th: number | undefined, fit: string, enlarge: boolean) {
  const sx = tw === undefined ? undefined : tw / w;
  const sy = th === undefined ? undefined : th / h;
  let scale = sx ?? sy!;
  if (sx !== undefined && sy !== undefined) scale = fit === 'outside' ? Math.max(sx, sy) : fit === 'inside' ? Math.min(sx, sy) : 0;
  if (scale === 0) return { width: tw!, height: th! };
  if (!enlarge) scale = Math.min(scale, 1);
  return { width: Math.round(w * scale), height: Math.round(h * scale) };
}
