import sharp from 'sharp';
import { shrinkBox, type RgbRows } from './shrink-box.ts';

/** The longest side of a thumbnail, in px. */
export const THUMBNAIL_MAX_SIDE = 320;

/**
 * A small JPEG of the result for the page's gallery, made once with it from
 * the raw rows the encode is given, never by decoding the encoded result
 * again. Measured per 640x480 result: decoding the result, resizing and a
 * WebP took 8.5 ms of CPU (most of a caption's 12); a box shrink of the rows
 * in JavaScript (0.3 ms) and a JPEG without Huffman optimisation (0.8 ms)
 * take 1.5 with sharp's own cost per call. A WebP of the shrunk rows alone
 * took 2.8 ms, and libvips' resize of the rows 2-3 ms more than the shrink.
 * Never enlarged: a result within 320 px is encoded at its own size.
 * A failure here is not the upload's fault (the rows are our own), so it
 * keeps its class and the job is retried.
 */
export async function makeThumbnail(image: RgbRows): Promise<Buffer> {
  const factor = Math.min(Math.floor(Math.max(image.width, image.height) / THUMBNAIL_MAX_SIDE), image.width, image.height);
  const small = factor >= 2 ? shrinkBox(image, factor) : image;
  let out = sharp(small.rgb, { raw: { width: small.width, height: small.height, channels: 3 }, limitInputPixels: false });
  // What the whole-number shrink left over 320 px (a 1000 px side shrinks
  // by 3 to 333) is resized by libvips, on rows already a few times smaller.
  if (Math.max(small.width, small.height) > THUMBNAIL_MAX_SIDE) {
    out = out.resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true });
  }
  return out.jpeg({ quality: 75, optimiseCoding: false, mozjpeg: false }).toBuffer();
}
