import { format as contract } from '../../shared/operations/format.ts';
import { applying } from './types.ts';

export const format = applying(contract, async (image) => image);
