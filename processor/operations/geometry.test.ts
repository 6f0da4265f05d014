import { beforeAll, describe, expect, test } from 'bun:test';
import { operationContext, pixel, rawFixture, rawPlain } from '../../tests/support/operations.ts';
import { crop } from './crop.ts';
import { flip } from './flip.ts';
import { flop } from './flop.ts';
import { resize } from './resize.ts';
import { rotate } from './rotate.ts';
import type { OperationContext, RawImage } from './types.ts';
import { StepInputError } from './types.ts';

let ctx: OperationContext;
let cat: RawImage;
beforeAll(async () => {
  ctx = await operationContext();
  cat = await rawFixture('cat-640x480.jpg');
});

/** A 4x2 image whose left half is red and right half blue, top row brighter: every mirror shows. */
async function quadrants(): Promise<RawImage> {
  const img = await rawPlain(4, 2, '#000000');
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) img.data.set(x < 2 ? [y === 0 ? 250 : 120, 0, 0] : [0, 0, y === 0 ? 250 : 120], (y * 4 + x) * 3);
  }
  return img;
}

describe('resize', () => {
  test('to a width alone keeps the aspect ratio', async () => {
    const out = await resize.apply(cat, { width: 320 }, ctx);
    expect([out.width, out.height]).toEqual([320, 240]);
    expect(out.data.length).toBe(320 * 240 * 3);
  });

  test('to both dimensions with fit cover fills them exactly; fill stretches; inside stays within', async () => {
    const cover = await resize.apply(cat, { width: 200, height: 200 }, ctx);
    expect([cover.width, cover.height]).toEqual([200, 200]);
    const fill = await resize.apply(cat, { width: 100, height: 300, fit: 'fill' }, ctx);
    expect([fill.width, fill.height]).toEqual([100, 300]);
    const inside = await resize.apply(cat, { width: 200, height: 200, fit: 'inside' }, ctx);
    expect([inside.width, inside.height]).toEqual([200, 150]);
  });

  test('does not enlarge unless asked', async () => {
    const same = await resize.apply(cat, { width: 1280 }, ctx);
    expect([same.width, same.height]).toEqual([640, 480]);
    const bigger = await resize.apply(cat, { width: 1280, enlarge: true }, ctx);
    expect([bigger.width, bigger.height]).toEqual([1280, 960]);
  });

  test('contain letterboxes with the background colour', async () => {
    const out = await resize.apply(cat, { width: 200, height: 200, fit: 'contain', background: '#00ff00' }, ctx);
    expect([out.width, out.height]).toEqual([200, 200]);
    const [r, g, b] = pixel(out, 100, 2);
    expect(g).toBeGreaterThan(240);
    expect(r + b).toBeLessThan(20);
  });

  test('refuses a result over the pixel limit before making it', async () => {
    const small = await operationContext({ limits: { maxPixels: 1_000_000, maxSide: 65_535 } });
    const err = await resize.apply(cat, { width: 2000, enlarge: true }, small).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect((err as Error).message).toContain('2000x1500');
  });

  test('needs a width or a height', () => {
    expect(resize.check!({})).toEqual({ param: 'width', message: 'give width, height or both' });
  });
});

describe('crop', () => {
  test('a rectangle gives exactly its size and the pixels that were there', async () => {
    const out = await crop.apply(cat, { left: 100, top: 50, width: 200, height: 120 }, ctx);
    expect([out.width, out.height]).toEqual([200, 120]);
    expect(pixel(out, 0, 0)).toEqual(pixel(cat, 100, 50));
    expect(pixel(out, 199, 119)).toEqual(pixel(cat, 299, 169));
  });

  test('a rectangle reaching outside the image is refused, naming both sizes', async () => {
    const err = await crop.apply(cat, { left: 600, top: 0, width: 100, height: 100 }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepInputError);
    expect((err as Error).message).toBe('the rectangle 100x100 at 600,0 reaches outside the 640x480 image');
  });

  test('an aspect ratio keeps the largest area of it, whatever the gravity', async () => {
    for (const gravity of ['centre', 'north', 'southwest', 'attention', 'entropy'] as const) {
      const out = await crop.apply(cat, { aspect: '1:1', gravity }, ctx);
      expect([out.width, out.height]).toEqual([480, 480]);
    }
    const wide = await crop.apply(cat, { aspect: '16:9' }, ctx);
    expect([wide.width, wide.height]).toEqual([640, 360]);
  });

  test('gravity west keeps the left edge, east the right edge', async () => {
    const west = await crop.apply(cat, { aspect: '1:1', gravity: 'west' }, ctx);
    const east = await crop.apply(cat, { aspect: '1:1', gravity: 'east' }, ctx);
    expect(pixel(west, 0, 240)).toEqual(pixel(cat, 0, 240));
    expect(pixel(east, 479, 240)).toEqual(pixel(cat, 639, 240));
  });

  test('asks for a whole rectangle, or an aspect and not both', () => {
    expect(crop.check!({ left: 0, top: 0, width: 10 })?.param).toBe('height');
    expect(crop.check!({ aspect: '1:1', width: 10 })?.message).toContain('not both');
    expect(crop.check!({ gravity: 'north' })?.param).toBe('gravity');
  });
});

describe('rotate', () => {
  test('a quarter turn swaps the dimensions', async () => {
    const out = await rotate.apply(cat, { angle: 90 }, ctx);
    expect([out.width, out.height]).toEqual([480, 640]);
    // Clockwise: the old bottom-left corner is the new top-left.
    const diff = pixel(out, 0, 0).map((v, i) => Math.abs(v - pixel(cat, 0, 479)[i]!));
    expect(Math.max(...diff)).toBeLessThanOrEqual(2);
  });

  test('any angle grows the canvas to hold the turned image, corners in the background colour', async () => {
    const out = await rotate.apply(cat, { angle: 30, background: '#ff0000' }, ctx);
    const expectW = 640 * Math.cos(Math.PI / 6) + 480 * Math.sin(Math.PI / 6);
    const expectH = 640 * Math.sin(Math.PI / 6) + 480 * Math.cos(Math.PI / 6);
    expect(Math.abs(out.width - expectW)).toBeLessThanOrEqual(2);
    expect(Math.abs(out.height - expectH)).toBeLessThanOrEqual(2);
    const [r, g, b] = pixel(out, 1, 1);
    expect(r).toBeGreaterThan(240);
    expect(g + b).toBeLessThan(20);
  });
});

describe('flip and flop', () => {
  test('flip mirrors top to bottom, flop left to right', async () => {
    const img = await quadrants();
    const flipped = await flip.apply(img, {}, ctx);
    expect(pixel(flipped, 0, 0)).toEqual([120, 0, 0]);
    expect(pixel(flipped, 0, 1)).toEqual([250, 0, 0]);
    const flopped = await flop.apply(img, {}, ctx);
    expect(pixel(flopped, 0, 0)).toEqual([0, 0, 250]);
    expect(pixel(flopped, 3, 0)).toEqual([250, 0, 0]);
    expect([flopped.width, flopped.height]).toEqual([4, 2]);
  });
});
