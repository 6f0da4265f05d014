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
import type { AppliedOperation } from './types.ts';
import { watermark } from './watermark.ts';

/**
 * How each operation of shared/operations/ is applied, in the same order.
 * The pipeline finds a validated step's `apply` here by its name.
 */
export const APPLIED_OPERATIONS: readonly AppliedOperation[] = [
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
] as AppliedOperation[];

const byName = new Map(APPLIED_OPERATIONS.map((o) => [o.name, o]));

/**
 * The applied form of a shared operation. Throws when the processor has
 * none: a shared operation added without its `apply`, a programming error
 * the registry test catches first.
 */
export function appliedOperation(name: string): AppliedOperation {
  const applied = byName.get(name);
  if (!applied) throw new Error(`operation ${name} is in shared/operations/ but has no apply in processor/operations/`);
  return applied;
}
