import type { Sharp } from 'sharp';
import type { OperationContext, RawImage } from './types.ts';

/** A sharp pipeline reading the raw pixels of `image`. */
export function fromRaw(ctx: OperationContext, image: RawImage): Sharp {
  return ctx.sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 }, limitInputPixels: false });
}

/** Runs `pipeline` to raw sRGB pixels, 3 channels, whatever the step did to alpha. */
export async function toRaw(pipeline: Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`a step produced ${info.channels} channels, expected 3`);
  return { data, width: info.width, height: info.height };
}
