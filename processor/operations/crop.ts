import { Type } from '@sinclair/typebox';
import { fromRaw, toRaw } from './raw.ts';
import { Side } from './size.ts';
import { defineOperation, StepInputError, type RawImage } from './types.ts';

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
  async apply(image, p, ctx) {
    if (p.aspect === undefined) {
      const rect = { left: p.left!, top: p.top!, width: p.width!, height: p.height! };
      if (rect.left + rect.width > image.width || rect.top + rect.height > image.height) {
        throw new StepInputError(
          `the rectangle ${rect.width}x${rect.height} at ${rect.left},${rect.top} reaches outside the ${image.width}x${image.height} image`,
        );
      }
      return toRaw(fromRaw(ctx, image).extract(rect));
    }
    const { width, height } = largestOfAspect(image, p.aspect);
    // With the target inside the image and of its own aspect, cover only cuts: no pixel is scaled.
    return toRaw(fromRaw(ctx, image).resize({ width, height, fit: 'cover', position: p.gravity ?? 'centre' }));
  },
});

/** The largest width x height of ratio `aspect` that fits in the image. */
export function largestOfAspect(image: Pick<RawImage, 'width' | 'height'>, aspect: string): { width: number; height: number } {
  const [aw, ah] = aspect.split(':').map(Number) as [number, number];
  if (image.width * ah <= image.height * aw) {
    return { width: image.width, height: Math.max(1, Math.round((image.width * ah) / aw)) };
  }
  return { width: Math.max(1, Math.round((image.height * aw) / ah)), height: image.height };
}
