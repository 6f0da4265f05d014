import { crop as contract } from '../../shared/operations/crop.ts';
import { fromRaw, toRaw } from './raw.ts';
import { applying, StepInputError, type RawImage } from './types.ts';

export const crop = applying(contract, async (image, p, ctx) => {
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
});

/** The largest width x height of ratio `aspect` that fits in the image. */
export function largestOfAspect(image: Pick<RawImage, 'width' | 'height'>, aspect: string): { width: number; height: number } {
  const [aw, ah] = aspect.split(':').map(Number) as [number, number];
  if (image.width * ah <= image.height * aw) {
    return { width: image.width, height: Math.max(1, Math.round((image.width * ah) / aw)) };
  }
  return { width: Math.max(1, Math.round((image.height * aw) / ah)), height: image.height };
}
