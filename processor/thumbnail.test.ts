import { describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { makeThumbnail, THUMBNAIL_MAX_SIDE } from './thumbnail.ts';

/** A result whose left half is red and right half blue, a black band in its last quarter. */
function result(width: number, height: number) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = y >= height * 0.75 ? [0, 0, 0] : x < width / 2 ? [220, 20, 20] : [20, 20, 220];
      rgb.set(colour, (y * width + x) * 3);
    }
  }
  return { rgb, width, height };
}

async function decoded(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  return { format: (await sharp(jpeg).metadata()).format, width: info.width, height: info.height, at };
}

describe('thumbnails', () => {
  test.each([
    [640, 516, 320, 258],
    [1920, 1293, 320, 215],
    [1000, 800, 320, 256],
    [480, 700, 219, 320],
    [200, 100, 200, 100],
    [4, 3000, 1, 320],
  ])('a %ix%i result becomes a JPEG of %ix%i, never over 320 px and never enlarged', async (w, h, tw, th) => {
    const thumb = await decoded(await makeThumbnail(result(w, h)));
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', tw, th]);
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(THUMBNAIL_MAX_SIDE);
  });

  test('keeps what is where: red on the left, blue on the right, the black band at the bottom', async () => {
    const thumb = await decoded(await makeThumbnail(result(640, 516)));
    const [red, blue, band] = [thumb.at(40, 60), thumb.at(280, 60), thumb.at(160, 250)];
    expect(red[0]! - red[2]!).toBeGreaterThan(150);
    expect(blue[2]! - blue[0]!).toBeGreaterThan(150);
    expect(Math.max(...band)).toBeLessThan(30);
  });
});
