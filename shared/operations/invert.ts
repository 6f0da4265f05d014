import { Type } from '@sinclair/typebox';
import { defineOperation } from './types.ts';

export const invert = defineOperation({
  name: 'invert',
  summary: 'A negative: every channel becomes 255 minus itself.',
  example: {},
  params: Type.Object({}, { additionalProperties: false }),
});
