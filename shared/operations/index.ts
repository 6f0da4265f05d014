import { blur } from './blur.ts';
import { caption } from './caption.ts';
import { crop } from './crop.ts';
import { flip } from './flip.ts';
import { flop } from './flop.ts';
import { format } from './format.ts';
import { grayscale } from './grayscale.ts';
import { invert } from './invert.ts';
import { resize } from './resize.ts';
import { rotate } from './rotate.ts';
import { sharpen } from './sharpen.ts';
import type { Operation } from './types.ts';
import { watermark } from './watermark.ts';

/**
 * Every operation a pipeline step may name. Adding one is a module in this
 * folder and a line here, and its `apply` in processor/operations/ (listed
 * there too): the API's validation and Swagger, the processor's message
 * checks and the benchmark all read this list.
 */
export const OPERATIONS: readonly Operation[] = [
  caption,
  resize,
  crop,
  grayscale,
  rotate,
  flip,
  flop,
  blur,
  sharpen,
  invert,
  watermark,
  format,
] as Operation[];
