import { Type } from '@sinclair/typebox';
import { defineOperation } from './types.ts';

export const sharpen = defineOperation({
  name: 'sharpen',
  summary: 'Unsharp mask: edges come out crisper.',
  example: { sigma: 1 },
  params: Type.Object(
    { sigma: Type.Optional(Type.Number({ minimum: 0.01, maximum: 10, default: 1, description: 'radius of the mask (Gaussian sigma), 0.01 to 10 px' })) },
    { additionalProperties: false },
  ),
});
