import { readImageSize, type ImageSize } from './image-size.ts';

/**
 * The size an image's header declares when it is over `maxPixels` (a
 * decompression bomb, refused before any decoding), else null. A header that
 * cannot be read passes: the decoder then fails the job, and the processor's
 * own pixel check stays as the second line.
 */
export function declaredOverPixelLimit(image: Uint8Array, maxPixels: number): ImageSize | null {
  const size = readImageSize(image);
  return size && size.width * size.height > maxPixels ? size : null;
}
