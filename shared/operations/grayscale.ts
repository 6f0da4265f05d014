import { Type } from '@sinclair/typebox';
import { defineOperation } from './types.ts';

export const grayscale = defineOperation({
  name: 'grayscale',
  summary: 'Shades of grey: every pixel gets R = G = B.',
  example: {},
  params: Type.Object({}, { additionalProperties: false }),
});
