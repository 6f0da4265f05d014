import { Type } from '@sinclair/typebox';
import { Colour } from './colour.ts';
import { defineOperation } from './types.ts';

export const rotate = defineOperation({
  name: 'rotate',
  summary:
    'Turn clockwise by any angle; the canvas grows to hold the turned image and the corners take the background colour. ' +
    '(EXIF orientation is always applied at decoding, before the first step.)',
  example: { angle: 30, background: '#000000' },
  params: Type.Object(
    {
      angle: Type.Number({ minimum: -360, maximum: 360, description: 'degrees clockwise, -360 to 360' }),
      background: Type.Optional(Colour('#000000', 'colour of the uncovered corners')),
    },
    { additionalProperties: false },
  ),
});
