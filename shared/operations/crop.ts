import { Type } from '@sinclair/typebox';
import { Side } from './size.ts';
import { defineOperation } from './types.ts';

const GRAVITIES = ['centre', 'north', 'northeast', 'east', 'southeast', 'south', 'southwest', 'west', 'northwest', 'attention', 'entropy'] as const;

const Offset = (description: string) => Type.Integer({ minimum: 0, maximum: 16_383, description });

export const crop = defineOperation({
  name: 'crop',
  summary:
    'Cut out a rectangle (left, top, width, height), or the largest area of an aspect ratio (aspect "16:9") placed by gravity: ' +
    'a compass point, or attention/entropy to keep the most interesting part.',
  example: { aspect: '1:1', gravity: 'attention' },
  params: Type.Object(
    {
      left: Type.Optional(Offset('rectangle: first column, px from the left edge')),
      top: Type.Optional(Offset('rectangle: first row, px from the top edge')),
      width: Type.Optional(Side('rectangle: width')),
      height: Type.Optional(Side('rectangle: height')),
      aspect: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}:[1-9][0-9]{0,3}$', description: 'aspect ratio "W:H" such as "16:9" (instead of a rectangle)' })),
      gravity: Type.Optional(
        Type.Union(GRAVITIES.map((g) => Type.Literal(g)), { default: 'centre', description: 'with aspect: which part to keep' }),
      ),
    },
    { additionalProperties: false },
  ),
  check(p) {
    const rect = ['left', 'top', 'width', 'height'] as const;
    const given = rect.filter((k) => p[k] !== undefined);
    if (p.aspect !== undefined) {
      if (given.length > 0) return { param: given[0]!, message: 'give either a rectangle or an aspect, not both' };
      return undefined;
    }
    if (p.gravity !== undefined) return { param: 'gravity', message: 'applies to an aspect crop only; add aspect' };
    const missing = rect.find((k) => p[k] === undefined);
    return missing ? { param: missing, message: 'a rectangle needs left, top, width and height (or give an aspect instead)' } : undefined;
  },
});
