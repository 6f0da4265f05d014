import { Type } from '@sinclair/typebox';

/** The longest side any parameter may ask for; WebP's limit, and far beyond any photo kadr takes. */
export const MAX_SIDE = 16_384;

export const Side = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_SIDE, description: `${description}, 1 to ${MAX_SIDE} px` });
