import { blur as contract } from '../../shared/operations/blur.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying } from './types.ts';

export const blur = applying(contract, (image, p, ctx) => toRaw(fromRaw(ctx, image).blur(p.sigma ?? 2)));
