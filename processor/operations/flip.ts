import { flip as contract } from '../../shared/operations/flip.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying } from './types.ts';

export const flip = applying(contract, (image, _p, ctx) => toRaw(fromRaw(ctx, image).flip()));
