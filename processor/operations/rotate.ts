import { Type } from '@sinclair/typebox';
import { Colour, parseColour } from './colour.ts';
import { fromRaw, toRaw } from './raw.ts';
import { requireWithinLimits } from './size.ts';
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
  async apply(image, p, ctx) {
    const rad = (p.angle * Math.PI) / 180;
    const [c, s] = [Math.abs(Math.cos(rad)), Math.abs(Math.sin(rad))];
    requireWithinLimits(Math.ceil(image.width * c + image.height * s), Math.ceil(image.width * s + image.height * c), ctx);
    return toRaw(fromRaw(ctx, image).rotate(p.angle, { background: parseColour(p.background ?? '#000000') }));
  },
});
