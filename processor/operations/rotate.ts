import { rotate as contract } from '../../shared/operations/rotate.ts';
import { parseColour } from '../../shared/operations/colour.ts';
import { fromRaw, toRaw } from './raw.ts';
import { requireWithinLimits } from './size.ts';
import { applying } from './types.ts';

export const rotate = applying(contract, async (image, p, ctx) => {
  const rad = (p.angle * Math.PI) / 180;
  const [c, s] = [Math.abs(Math.cos(rad)), Math.abs(Math.sin(rad))];
  requireWithinLimits(Math.ceil(image.width * c + image.height * s), Math.ceil(image.width * s + image.height * c), ctx);
  return toRaw(fromRaw(ctx, image).rotate(p.angle, { background: parseColour(p.background ?? '#000000') }));
});
