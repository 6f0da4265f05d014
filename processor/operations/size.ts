import { Type } from '@sinclair/typebox';
import { StepInputError, type OperationContext } from './types.ts';

/** The longest side any parameter may ask for; WebP's limit, and far beyond any photo kadr takes. */
export const MAX_SIDE = 16_384;

export const Side = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_SIDE, description: `${description}, 1 to ${MAX_SIDE} px` });

/** Refuses a result larger than the limits before any pixel of it is made. */
export function requireWithinLimits(width: number, height: number, ctx: OperationContext): void {
  const { maxPixels, maxSide } = ctx.limits;
  if (width > maxSide || height > maxSide || width * height > maxPixels) {
    throw new StepInputError(
      `the result would be ${width}x${height}; at most ${maxSide} px a side and ${maxPixels} pixels are allowed`,
    );
  }
}
