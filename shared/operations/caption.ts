import { Type } from '@sinclair/typebox';
import { Colour } from './colour.ts';
import { defineOperation } from './types.ts';

export const caption = defineOperation({
  name: 'caption',
  summary: 'A band across the full width, above or below the image, holding text word-wrapped to fit (the default pipeline).',
  example: { text: 'A cat on a windowsill', position: 'bottom' },
  params: Type.Object(
    {
      text: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'the text; by default the upload\'s description' })),
      fontSize: Type.Optional(Type.Integer({ minimum: 6, maximum: 200, description: 'px, 6 to 200; by default FONT_SIZE' })),
      color: Type.Optional(Colour('#ffffff', 'text colour')),
      background: Type.Optional(Colour('#000000', 'band colour')),
      padding: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, description: 'px around the text, 0 to 200; by default CAPTION_PADDING' })),
      position: Type.Optional(Type.Union([Type.Literal('bottom'), Type.Literal('top')], { default: 'bottom', description: 'where the band goes' })),
    },
    { additionalProperties: false },
  ),
});
