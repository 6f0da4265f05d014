import { Type } from '@sinclair/typebox';
import { defineOperation } from './types.ts';

export const blur = defineOperation({
  name: 'blur',
  summary: 'Gaussian blur.',
  example: { sigma: 2 },
  params: Type.Object(
    { sigma: Type.Optional(Type.Number({ minimum: 0.3, maximum: 100, default: 2, description: 'blur radius (Gaussian sigma), 0.3 to 100 px' })) },
    { additionalProperties: false },
  ),
});
