import { Type } from '@sinclair/typebox';
import { defineOperation } from './types.ts';

export const flop = defineOperation({
  name: 'flop',
  summary: 'Mirror left to right (about the vertical axis).',
  example: {},
  params: Type.Object({}, { additionalProperties: false }),
});
