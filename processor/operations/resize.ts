import { resize as contract } from '../../shared/operations/resize.ts';
import { parseColour } from '../../shared/operations/colour.ts';
import { fromRaw, toRaw } from './raw.ts';
import { requireWithinLimits } from './size.ts';
import { applying } from './types.ts';

export const resize = applying(contract, async (image, p, ctx) => {
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
