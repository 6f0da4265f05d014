import { beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { meanDifference, operationContext, rawFixture } from '../../tests/support/operations.ts';
import type { OperationContext, RawImage } from './types.ts';
import { StepInputError } from './types.ts';
import { placeAt, watermark } from './watermark.ts';

let ctx: OperationContext;
let cat: RawImage;
beforeAll(async () => {
  const logo = await sharp({ create: { width: 100, height: 50, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
  ctx = await operationContext({ files: { logo } });
  cat = await rawFixture('cat-640x480.jpg');
});

const WHOLE = { left: 0, top: 0, width: 640, height: 480 };

describe('watermark', () => {
  test('an image mark changes its region at the position and nothing else', async () => {
    const out = await watermark.apply(cat, { image: 'logo', size: 100, position: 'bottom-right', margin: 10, opacity: 0.8 }, ctx);
    const region = { left: 640 - 10 - 100, top: 480 - 10 - 50, width: 100, height: 50 };
    expect(meanDifference(cat, out, region)).toBeGreaterThan(40);
    expect(meanDifference(cat, out, region, true)).toBe(0);
  });

  test('opacity sets how strongly the mark covers the photo', async () => {
    const region = { left: 16, top: 16, width: 100, height: 50 };
    const faint = await watermark.apply(cat, { image: 'logo', size: 100, position: 'top-left', opacity: 0.2 }, ctx);
    const strong = await watermark.apply(cat, { image: 'logo', size: 100, position: 'top-left', opacity: 0.9 }, ctx);
    expect(meanDifference(cat, strong, region)).toBeGreaterThan(2 * meanDifference(cat, faint, region));
  });

  test('a text mark changes pixels only near its position', async () => {
    const out = await watermark.apply(cat, { text: '© kadr', size: 32, position: 'top-left', margin: 20, opacity: 1 }, ctx);
    const corner = { left: 0, top: 0, width: 260, height: 100 };
    expect(meanDifference(cat, out, corner)).toBeGreaterThan(3);
    expect(meanDifference(cat, out, corner, true)).toBe(0);
  });

  test('tiled, the mark covers the whole photo: every quarter changes', async () => {
    const out = await watermark.apply(cat, { image: 'logo', size: 60, tile: true, opacity: 0.6 }, ctx);
    for (const [left, top] of [[0, 0], [320, 0], [0, 240], [320, 240]] as const) {
      expect(meanDifference(cat, out, { left, top, width: 320, height: 240 })).toBeGreaterThan(20);
    }
    expect([out.width, out.height]).toEqual([640, 480]);
    expect(meanDifference(cat, out, WHOLE)).toBeGreaterThan(20);
  });

  test('a missing file part or an undecodable one is the step\'s fault', async () => {
    const missing = await watermark.apply(cat, { image: 'nope' }, ctx).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StepInputError);
    expect((missing as Error).message).toContain('"nope"');
    const broken = await operationContext({ files: { logo: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) } });
    const bad = await watermark.apply(cat, { image: 'logo' }, broken).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(StepInputError);
    expect((bad as Error).message).toContain('cannot be decoded');
  });

  test('positions sit margin px from the edges they name', () => {
    const mark = { width: 100, height: 50 };
    const image = { data: Buffer.alloc(0), width: 640, height: 480 };
    expect(placeAt('top-left', 10, mark, image)).toEqual({ left: 10, top: 10 });
    expect(placeAt('bottom-right', 10, mark, image)).toEqual({ left: 530, top: 420 });
    expect(placeAt('centre', 10, mark, image)).toEqual({ left: 270, top: 215 });
    expect(placeAt('top', 10, mark, image)).toEqual({ left: 270, top: 10 });
  });

  test('takes exactly one of text and image', () => {
    expect(watermark.check!({})?.param).toBe('text');
    expect(watermark.check!({ text: 'a', image: 'logo' })?.param).toBe('text');
    expect(watermark.check!({ image: 'logo', color: '#ffffff' })?.param).toBe('color');
    expect(watermark.files!({ image: 'logo' })).toEqual(['logo']);
    expect(watermark.check!({ text: 'big', size: 201 })?.message).toBe("a text watermark's font size is at most 200 px, got 201");
    expect(watermark.check!({ image: 'logo', size: 2000 })).toBeUndefined();
  });
});
