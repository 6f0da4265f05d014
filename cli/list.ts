import type { ListedImage } from '../client/index.ts';

/** One line per processed image, newest first, as GET /api/images lists them. */
export function listLine(image: ListedImage): string {
  const size = image.width !== undefined && image.height !== undefined ? `${image.width}x${image.height}` : '?x?';
  return [image.id, image.received_at, size, image.content_type ?? '', image.description].join('  ');
}
