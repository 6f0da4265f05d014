import { flop as contract } from '../../shared/operations/flop.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying } from './types.ts';

export const flop = applying(contract, (image, _p, ctx) => toRaw(fromRaw(ctx, image).flop()));
