import { sharpen as contract } from '../../shared/operations/sharpen.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying } from './types.ts';

export const sharpen = applying(contract, (image, p, ctx) => toRaw(fromRaw(ctx, image).sharpen({ sigma: p.sigma ?? 1 })));
