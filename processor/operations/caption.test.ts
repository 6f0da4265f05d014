import { beforeAll, describe, expect, test } from 'bun:test';
import { operationContext, pixel, rawPlain } from '../../tests/support/operations.ts';
import { caption } from './caption.ts';
import type { OperationContext, RawImage } from './types.ts';

let ctx: OperationContext;
let grey: RawImage;
beforeAll(async () => {
  ctx = await operationContext({ description: 'The upload description' });
  grey = await rawPlain(320, 200, '#808080');
});

/** Rows [from, to) that hold a pixel of the given colour (each channel within 40). */
function rowsWith(img: RawImage, colour: [number, number, number], from: number, to: number): number {
  let rows = 0;
  for (let y = from; y < to; y++) {
    for (let x = 0; x < img.width; x++) {
      if (pixel(img, x, y).every((v, i) => Math.abs(v - colour[i]!) <= 40)) {
        rows++;
        break;
      }
    }
  }
  return rows;
}

describe('caption', () => {
  test('adds a black band with white text under the image by default, the description as text', async () => {
    const out = await caption.apply(grey, {}, ctx);
    expect(out.width).toBe(320);
    expect(out.height).toBeGreaterThan(200 + 20);
    expect(pixel(out, 5, 100)).toEqual([128, 128, 128]);
    expect(pixel(out, 1, out.height - 1)).toEqual([0, 0, 0]);
    expect(rowsWith(out, [255, 255, 255], 200, out.height)).toBeGreaterThan(5);
  });

  test('on top, in the colours asked, the photo moved down by the band', async () => {
    const out = await caption.apply(grey, { text: 'Top', position: 'top', color: '#ff0000', background: '#0000ff' }, ctx);
    const band = out.height - 200;
    expect(pixel(out, 1, 1)).toEqual([0, 0, 255]);
    expect(pixel(out, 5, band + 5)).toEqual([128, 128, 128]);
    expect(rowsWith(out, [255, 0, 0], 0, band)).toBeGreaterThan(3);
  });

  test('a larger font and padding give a taller band', async () => {
    const small = await caption.apply(grey, { text: 'Size' }, ctx);
    const large = await caption.apply(grey, { text: 'Size', fontSize: 36, padding: 20 }, ctx);
    expect(large.height - 200).toBeGreaterThan(2 * (small.height - 200));
  });
});
