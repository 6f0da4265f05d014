import { Type } from '@sinclair/typebox';
import { defineOperation } from './types.ts';

export const flip = defineOperation({
  name: 'flip',
  summary: 'Mirror top to bottom (about the horizontal axis).',
  example: {},
  params: Type.Object({}, { additionalProperties: false }),
});
