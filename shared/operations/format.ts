import { Type } from '@sinclair/typebox';
import { OUTPUT_FORMATS, type OutputFormat } from '../formats.ts';
import { defineOperation } from './types.ts';

const TYPES = Object.keys(OUTPUT_FORMATS) as OutputFormat[];

/**
 * The output encoding. It changes no pixel: the pipeline encodes once, after
 * the last step, with these settings, so a format step must be the last one.
 */
export const format = defineOperation({
  name: 'format',
  summary: 'The encoding of the result (must be the last step); without it the result is a JPEG at JPEG_QUALITY.',
  example: { type: 'webp', quality: 80 },
  params: Type.Object(
    {
      type: Type.Union(TYPES.map((t) => Type.Literal(t)), { description: 'jpeg, png, webp or avif' }),
      quality: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 100, description: '1 to 100 for jpeg, webp and avif (ignored for png); by default JPEG_QUALITY for jpeg, 80 for webp, 50 for avif' }),
      ),
    },
    { additionalProperties: false },
  ),
});
