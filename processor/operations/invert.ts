import { invert as contract } from '../../shared/operations/invert.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying } from './types.ts';

export const invert = applying(contract, (image, _p, ctx) => toRaw(fromRaw(ctx, image).negate()));
