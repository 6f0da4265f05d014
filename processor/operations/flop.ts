import { Type } from '@sinclair/typebox';
import { fromRaw, toRaw } from './raw.ts';
import { defineOperation } from './types.ts';

export const flop = defineOperation({
  name: 'flop',
  summary: 'Mirror left to right (about the vertical axis).',
  example: {},
  params: Type.Object({}, { additionalProperties: false }),
  apply: (image, _p, ctx) => toRaw(fromRaw(ctx, image).flop()),
});
