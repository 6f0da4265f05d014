import { StepInputError, type OperationContext } from './types.ts';

/** Refuses a result larger than the limits before any pixel of it is made. */
export function requireWithinLimits(width: number, height: number, ctx: OperationContext): void {
  const { maxPixels, maxSide } = ctx.limits;
  if (width > maxSide || height > maxSide || width * height > maxPixels) {
    throw new StepInputError(
      `the result would be ${width}x${height}; at most ${maxSide} px a side and ${maxPixels} pixels are allowed`,
    );
  }
}
