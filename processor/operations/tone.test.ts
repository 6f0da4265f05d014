import { beforeAll, describe, expect, test } from 'bun:test';
import { operationContext, pixel, rawFixture, rawPlain } from '../../tests/support/operations.ts';
import { blur } from './blur.ts';
import { grayscale } from './grayscale.ts';
import { invert } from './invert.ts';
import { sharpen } from './sharpen.ts';
import type { OperationContext, RawImage } from './types.ts';

let ctx: OperationContext;
let cat: RawImage;
beforeAll(async () => {
  ctx = await operationContext();
  cat = await rawFixture('cat-640x480.jpg');
});

/** Sum of absolute differences between horizontal neighbours: how much edge there is. */
function edginess(img: RawImage): number {
  let sum = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 1; x < img.width; x++) sum += Math.abs(pixel(img, x, y)[1] - pixel(img, x - 1, y)[1]);
  }
  return sum;
}

/** A black square with a white square in its middle: one sharp edge all round. */
async function edge(): Promise<RawImage> {
  const img = await rawPlain(40, 40, '#000000');
  for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) img.data.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
  return img;
}

describe('grayscale', () => {
  test('gives R = G = B in every pixel and keeps the size', async () => {
    const out = await grayscale.apply(cat, {}, ctx);
    expect([out.width, out.height]).toEqual([640, 480]);
    let unequal = 0;
    for (let i = 0; i < out.data.length; i += 3) if (out.data[i] !== out.data[i + 1] || out.data[i] !== out.data[i + 2]) unequal++;
    expect(unequal).toBe(0);
  });

  test('weighs green above red above blue, as luminance does', async () => {
    const grey = async (c: string) => pixel(await grayscale.apply(await rawPlain(2, 2, c), {}, ctx), 0, 0)[0];
    const [r, g, b] = [await grey('#ff0000'), await grey('#00ff00'), await grey('#0000ff')];
    expect(g).toBeGreaterThan(r);
    expect(r).toBeGreaterThan(b);
  });
});

describe('blur and sharpen', () => {
  test('blur softens an edge, more with a larger sigma', async () => {
    const img = await edge();
    const slight = await blur.apply(img, { sigma: 1 }, ctx);
    const strong = await blur.apply(img, { sigma: 4 }, ctx);
    // Next to the edge the black turns grey, the more so the stronger the blur.
    expect(pixel(slight, 9, 20)[0]).toBeGreaterThan(20);
    expect(pixel(strong, 6, 20)[0]).toBeGreaterThan(pixel(slight, 6, 20)[0]);
    expect([strong.width, strong.height]).toEqual([40, 40]);
  });

  test('sharpen adds edge contrast to a blurred photo', async () => {
    const soft = await blur.apply(cat, { sigma: 2 }, ctx);
    const crisp = await sharpen.apply(soft, { sigma: 2 }, ctx);
    expect(edginess(crisp)).toBeGreaterThan(edginess(soft) * 1.1);
  });
});

describe('invert', () => {
  test('turns every channel into 255 minus itself', async () => {
    const out = await invert.apply(await rawPlain(3, 3, '#1e90c8'), {}, ctx);
    expect(pixel(out, 1, 1)).toEqual([255 - 0x1e, 255 - 0x90, 255 - 0xc8]);
  });
});
