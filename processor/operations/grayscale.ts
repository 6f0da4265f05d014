import { grayscale as contract } from '../../shared/operations/grayscale.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying } from './types.ts';

// Rec. 709 luma weights in every row: three equal channels, so the result
// stays RGB (sharp's own greyscale would hand back one channel).
const LUMA: [number, number, number] = [0.2126, 0.7152, 0.0722];

export const grayscale = applying(contract, (image, _p, ctx) => toRaw(fromRaw(ctx, image).recomb([LUMA, LUMA, LUMA])));
