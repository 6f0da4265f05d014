import { describe, expect, test } from 'bun:test';
import { shrinkBox } from './shrink-box.ts';

/** RGB rows from a function of the pixel's position. */
function rows(width: number, height: number, at: (x: number, y: number) => [number, number, number]) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set(at(x, y), (y * width + x) * 3);
  return { rgb, width, height };
}

describe('shrinkBox', () => {
  test('by 2, each pixel is the rounded mean of its 2x2 block, channel by channel', () => {
    const image = rows(4, 2, (x, y) => [x * 10 + y, 255 - x, y * 100]);
    const out = shrinkBox(image, 2);
    expect([out.width, out.height]).toEqual([2, 1]);
    // Block 0: x 0-1, y 0-1: R (0 + 10 + 1 + 11) / 4 = 5.5 -> 6; G (255 + 254) * 2 / 4 = 254.5 -> 255; B 50.
    expect([...out.rgb]).toEqual([6, 255, 50, 26, 253, 50]);
  });

  test('by any whole factor, the mean of each block, the last columns and rows short of a block left out', () => {
    const image = rows(7, 4, (x, y) => (x < 3 ? [30, 60, 90] : x < 6 ? [y < 3 ? 0 : 255, 3, 6] : [255, 255, 255]));
    const out = shrinkBox(image, 3);
    expect([out.width, out.height]).toEqual([2, 1]);
    expect([...out.rgb]).toEqual([30, 60, 90, 0, 3, 6]);
  });

  test('refuses a factor that is not a whole number from 1 to the shorter side', () => {
    const image = rows(4, 2, () => [0, 0, 0]);
    for (const factor of [0, 1.5, 3]) expect(() => shrinkBox(image, factor)).toThrow(RangeError);
    expect(shrinkBox(image, 1).rgb).toEqual(Buffer.from(image.rgb));
  });
});
