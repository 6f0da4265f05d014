export interface RgbRows {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/**
 * Shrinks RGB rows by a whole `factor`, each pixel of the result the rounded
 * mean of a factor x factor block: the area average libvips' own shrink
 * computes, here on the JavaScript thread without a round trip through the
 * thread pool. The last width % factor columns and height % factor rows,
 * fewer than `factor`, are left out.
 */
export function shrinkBox(image: RgbRows, factor: number): RgbRows & { rgb: Buffer } {
  if (!Number.isInteger(factor) || factor < 1 || factor > image.width || factor > image.height) {
    throw new RangeError(`cannot shrink ${image.width}x${image.height} by ${factor}`);
  }
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const src = image.rgb;
  const stride = image.width * 3;
  const out = Buffer.allocUnsafe(width * height * 3);
  if (factor === 2) return halve(src, stride, width, height, out);
  const area = factor * factor;
  const half = area >> 1;
  // Each block summed straight from the source into locals: measured 3-4x
  // faster on Bun than sums kept in a typed array of columns.
  let o = 0;
  for (let y = 0; y < height; y++) {
    const top = y * factor * stride;
    for (let x = 0; x < width; x++) {
      let r = half;
      let g = half;
      let b = half;
      for (let row = 0, start = top + x * factor * 3; row < factor; row++, start += stride) {
        for (let k = 0, s = start; k < factor; k++, s += 3) {
          r += src[s]!;
          g += src[s + 1]!;
          b += src[s + 2]!;
        }
      }
      out[o++] = (r / area) | 0;
      out[o++] = (g / area) | 0;
      out[o++] = (b / area) | 0;
    }
  }
  return { rgb: out, width, height };
}

/**
 * The common case (a 640 px photo to 320) unrolled: 0.26 ms for a 640x516
 * result against 0.66 through the general loops.
 */
function halve(src: Uint8Array, stride: number, width: number, height: number, out: Buffer): RgbRows & { rgb: Buffer } {
  let o = 0;
  for (let y = 0; y < height; y++) {
    let a = 2 * y * stride;
    let b = a + stride;
    for (let x = 0; x < width; x++, a += 6, b += 6) {
      out[o++] = (src[a]! + src[a + 3]! + src[b]! + src[b + 3]! + 2) >> 2;
      out[o++] = (src[a + 1]! + src[a + 4]! + src[b + 1]! + src[b + 4]! + 2) >> 2;
      out[o++] = (src[a + 2]! + src[a + 5]! + src[b + 2]! + src[b + 5]! + 2) >> 2;
    }
  }
  return { rgb: out, width, height };
}
