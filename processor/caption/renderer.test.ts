import { beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import sharp from 'sharp';
import { ImageDecodeError } from '../../shared/errors.ts';
import { declaring } from '../../tests/support/images.ts';
import { TEST_CAPTION_OPTIONS } from '../../tests/support/operations.ts';
import { createCaptionRenderer, type CaptionRenderer } from './renderer.ts';

const ROOT = join(import.meta.dir, '../..');
const OPTIONS = TEST_CAPTION_OPTIONS;
const PAD = OPTIONS.padding;
const LINE = OPTIONS.fontSize * OPTIONS.lineHeight; // 15.6 px
/** JPEG ringing may smear a glyph edge by a pixel or two. */
const TOLERANCE = 2;
const FIXTURES = [
  ['cat-640x480.jpg', 640, 480],
  ['rocket-480x640.jpg', 480, 640],
  ['coffee-1920x1280.jpg', 1920, 1280],
  ['astronaut-640x480.jpg', 640, 480],
] as const;
const fixture = (name: string) => Bun.file(join(ROOT, 'tests/fixtures', name)).bytes();

let renderer: CaptionRenderer;
let cat: Uint8Array;
beforeAll(async () => {
  renderer = await createCaptionRenderer(OPTIONS);
  cat = await fixture('cat-640x480.jpg');
});

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

async function grey(jpeg: Uint8Array): Promise<Grey> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

interface Ink {
  /** Share of band pixels with luminance under 60. */
  darkShare: number;
  /** Band pixels with luminance over 200: the caption's ink. */
  white: number;
  /** Bounding box of the ink, in band coordinates (y = 0 is the band's first row). */
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Text lines: runs of inked rows starting at least ~a line apart. */
  lines: number;
}

/** Measures the band of a decoded result: everything below row `photoHeight`. */
function measureInk(img: Grey, photoHeight: number, lineStep = LINE): Ink {
  const ink: Ink = { darkShare: 0, white: 0, left: Infinity, right: -1, top: Infinity, bottom: -1, lines: 0 };
  let dark = 0;
  let lastLineStart = -Infinity;
  let prevRowInked = false;
  for (let y = photoHeight; y < img.height; y++) {
    const by = y - photoHeight;
    let rowInked = false;
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x]!;
      if (v < 60) dark++;
      if (v > 200) {
        ink.white++;
        rowInked = true;
        ink.left = Math.min(ink.left, x);
        ink.right = Math.max(ink.right, x);
        ink.top = Math.min(ink.top, by);
        ink.bottom = Math.max(ink.bottom, by);
      }
    }
    // A descender can leave a one-row gap inside a line; a new line starts a line-height later.
    if (rowInked && !prevRowInked && by - lastLineStart >= lineStep * 0.6) {
      ink.lines++;
      lastLineStart = by;
    }
    prevRowInked = rowInked;
  }
  ink.darkShare = dark / Math.max(1, (img.height - photoHeight) * img.width);
  return ink;
}

/** The caption's ink lies inside the band's padding on every side. */
function expectInsidePadding(ink: Ink, width: number, bandHeight: number, pad = PAD) {
  expect(ink.white).toBeGreaterThan(0);
  expect(ink.left).toBeGreaterThanOrEqual(pad - TOLERANCE);
  expect(ink.right).toBeLessThan(width - pad + TOLERANCE);
  expect(ink.top).toBeGreaterThanOrEqual(pad - TOLERANCE);
  expect(ink.bottom).toBeLessThan(bandHeight - pad + TOLERANCE);
}

async function failure(p: Promise<unknown>): Promise<ImageDecodeError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ImageDecodeError);
  return err as ImageDecodeError;
}

/** Mean absolute difference per channel between two RGB images' first `rows` rows. */
async function photoDifference(original: Uint8Array, captioned: Uint8Array, width: number, rows: number) {
  const a = await sharp(original).rotate().extract({ left: 0, top: 0, width, height: rows }).removeAlpha().raw().toBuffer();
  const b = await sharp(captioned).extract({ left: 0, top: 0, width, height: rows }).raw().toBuffer();
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('caption renderer', () => {
  test.each(FIXTURES)('puts a band under %s: a JPEG as wide as the photo, photo height plus band tall', async (name, w, h) => {
    const result = await renderer.render(await fixture(name), 'A photo from the fixtures');
    const meta = await sharp(result.jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(w);
    expect(meta.height).toBe(h + result.bandHeight);
    expect(result.width).toBe(meta.width!);
    expect(result.height).toBe(meta.height!);
    expect(result.bandHeight).toBeGreaterThan(0);
  });

  test('draws white text on a black band, inside the padding and nowhere else', async () => {
    const result = await renderer.render(cat, 'A cat on a windowsill, watching birds');
    const ink = measureInk(await grey(result.jpeg), 480);
    expect(ink.darkShare).toBeGreaterThan(0.9);
    expect(ink.white).toBeGreaterThan(50);
    expectInsidePadding(ink, 640, result.bandHeight);
  });

  test('keeps the photo above the band as it was', async () => {
    for (const [name, w, h] of [FIXTURES[0], FIXTURES[2]]) {
      const photo = await fixture(name);
      const result = await renderer.render(photo, 'Unchanged above');
      expect(await photoDifference(photo, result.jpeg, w, h)).toBeLessThan(3);
    }
  });

  test('a one-line caption gives a thin band of one line plus padding', async () => {
    const result = await renderer.render(cat, 'A cat');
    expect(result.bandHeight).toBeGreaterThanOrEqual(28);
    expect(result.bandHeight).toBeLessThanOrEqual(36);
    expect(Math.abs(result.bandHeight - Math.round(LINE + 2 * PAD))).toBeLessThanOrEqual(1);
    expect(measureInk(await grey(result.jpeg), 480).lines).toBe(1);
  });

  test('a description needing four lines gives a band four lines tall', async () => {
    const words = ['quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog'];
    const text = Array.from({ length: 60 }, (_, i) => words[i % words.length]).join(' '); // ~310 characters
    const result = await renderer.render(cat, text);
    const ink = measureInk(await grey(result.jpeg), 480);
    expect(ink.lines).toBe(4);
    expect(result.bandHeight).toBeGreaterThanOrEqual(Math.floor(4 * LINE + 2 * PAD) - 1);
    expect(result.bandHeight).toBeLessThanOrEqual(Math.ceil(4 * LINE + 2 * PAD) + 4);
    expectInsidePadding(ink, 640, result.bandHeight);
  });

  test('a larger font gives a taller band, the line part growing with the font size', async () => {
    const big = await createCaptionRenderer({ ...OPTIONS, fontSize: 24 });
    const small = await renderer.render(cat, 'A cat');
    const large = await big.render(cat, 'A cat');
    const ratio = (large.bandHeight - 2 * PAD) / (small.bandHeight - 2 * PAD);
    expect(ratio).toBeGreaterThan(1.7);
    expect(ratio).toBeLessThan(2.3);
    const ink = measureInk(await grey(large.jpeg), 480, 24 * OPTIONS.lineHeight);
    expect(ink.lines).toBe(1);
    expectInsidePadding(ink, 640, large.bandHeight);
  });

  test('breaks a word longer than the line inside the word instead of running off the image', async () => {
    const result = await renderer.render(cat, 'x'.repeat(200));
    const ink = measureInk(await grey(result.jpeg), 480);
    expect(ink.lines).toBeGreaterThanOrEqual(2);
    expect(result.bandHeight).toBeGreaterThanOrEqual(Math.floor(ink.lines * LINE + 2 * PAD) - 1);
    expectInsidePadding(ink, 640, result.bandHeight);
  });

  test('renders Cyrillic text', async () => {
    const result = await renderer.render(cat, 'С начала фазы запрещающего сигнала прошло: 7 секунд');
    const ink = measureInk(await grey(result.jpeg), 480);
    expect(ink.white).toBeGreaterThan(100);
    expect(ink.lines).toBe(1);
    // 51 glyphs at 12 px span a few hundred pixels: none of them was dropped.
    expect(ink.right - ink.left).toBeGreaterThan(250);
    expectInsidePadding(ink, 640, result.bandHeight);
  });

  test('captions a photo narrower than a line of text', async () => {
    const narrow = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const result = await renderer.render(narrow, 'A tiny grey square');
    expect(result.width).toBe(40);
    expect(result.height).toBe(30 + result.bandHeight);
    const img = await grey(result.jpeg);
    expect(img.width).toBe(40);
    expect(img.height).toBe(result.height);
    const ink = measureInk(img, 30);
    expect(ink.lines).toBeGreaterThan(1);
    expectInsidePadding(ink, 40, result.bandHeight);
  });

  test('applies the EXIF orientation before captioning', async () => {
    const sideways = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const result = await renderer.render(sideways, 'Rotated');
    const meta = await sharp(result.jpeg).metadata();
    expect(result.width).toBe(40);
    expect(meta.width).toBe(40);
    expect(meta.height).toBe(60 + result.bandHeight);
  });

  test('accepts PNG input, transparent pixels turned black', async () => {
    // Left half opaque red, right half fully transparent.
    const rgba = Buffer.alloc(120 * 90 * 4);
    for (let i = 0; i < 120 * 90; i++) if (i % 120 < 60) rgba.set([255, 0, 0, 255], i * 4);
    const png = await sharp(rgba, { raw: { width: 120, height: 90, channels: 4 } }).png().toBuffer();
    const result = await renderer.render(png, 'Half a red square');
    expect((await sharp(result.jpeg).metadata()).format).toBe('jpeg');
    expect(result.width).toBe(120);
    expect(result.height).toBe(90 + result.bandHeight);
    const pixel = async (left: number, top: number) =>
      [...(await sharp(result.jpeg).extract({ left, top, width: 1, height: 1 }).raw().toBuffer())];
    const [r, g] = await pixel(20, 45);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(Math.max(...(await pixel(100, 45)))).toBeLessThan(30);
    expectInsidePadding(measureInk(await grey(result.jpeg), 90), 120, result.bandHeight);
  });

  test('refuses bytes that are not an image as image_undecodable', async () => {
    const err = await failure(renderer.render(new TextEncoder().encode('hello, this is not a photo'), 'x'));
    expect(err.code).toBe('image_undecodable');
    expect(err.permanent).toBe(true);
  });

  test('refuses a truncated JPEG as image_undecodable', async () => {
    const err = await failure(renderer.render(cat.subarray(0, Math.floor(cat.length / 2)), 'x'));
    expect(err.code).toBe('image_undecodable');
  });

  test('refuses a photo declaring more pixels than allowed as image_too_large', async () => {
    const tiny = await createCaptionRenderer({ ...OPTIONS, maxInputPixels: 1000 });
    const err = await failure(tiny.render(cat, 'x'));
    expect(err.code).toBe('image_too_large');
    expect(err.message).toContain('640x480');
  });

  test('refuses an oversized photo by its header alone, before decoding any pixel', async () => {
    // Only the header of the 1920x1280 photo: decoding would fail, so image_too_large
    // (not image_undecodable) shows the declared size was checked first.
    const headerOnly = (await fixture('coffee-1920x1280.jpg')).subarray(0, 2000);
    const limited = await createCaptionRenderer({ ...OPTIONS, maxInputPixels: 1_000_000 });
    expect((await failure(limited.render(headerOnly, 'x'))).code).toBe('image_too_large');
    expect((await failure(renderer.render(headerOnly, 'x'))).code).toBe('image_undecodable');
  });

  test('refuses a 30000x30000 bomb past the API as image_too_large, even beyond sharp\'s own default limit', async () => {
    const err = await failure(renderer.render(await declaring('png', 30000, 30000), 'x'));
    expect(err.code).toBe('image_too_large');
    expect(err.message).toContain('30000x30000');
  });

  test('is reusable: the same input renders the same way twice', async () => {
    await renderer.warmUp();
    const first = await renderer.render(cat, 'Twice the same');
    const second = await renderer.render(cat, 'Twice the same');
    expect([second.width, second.height, second.bandHeight]).toEqual([first.width, first.height, first.bandHeight]);
    const a = await grey(first.jpeg);
    const b = await grey(second.jpeg);
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff += Math.abs(a.data[i]! - b.data[i]!);
    expect(diff / a.data.length).toBeLessThan(0.5);
  });

  test('renders several photos at once without mixing their rows (reused buffers)', async () => {
    const photos = await Promise.all(FIXTURES.map(([name]) => fixture(name)));
    const captions = FIXTURES.map(([name], i) => `${i}: ${name} `.repeat(i + 1));
    const alone = [];
    for (let i = 0; i < photos.length; i++) alone.push(await renderer.render(photos[i]!, captions[i]!));
    const together = await Promise.all(photos.map((photo, i) => renderer.render(photo, captions[i]!)));
    for (let i = 0; i < photos.length; i++) {
      const [a, b] = [await grey(alone[i]!.jpeg), await grey(together[i]!.jpeg)];
      expect([b.width, b.height]).toEqual([FIXTURES[i]![1], FIXTURES[i]![2] + together[i]!.bandHeight]);
      expect([b.width, b.height]).toEqual([a.width, a.height]);
      let diff = 0;
      for (let p = 0; p < a.data.length; p++) diff += Math.abs(a.data[p]! - b.data[p]!);
      expect(diff / a.data.length).toBeLessThan(0.5);
    }
  });

  test('fails to start, naming the file, when the font cannot be read', async () => {
    const missing = join(ROOT, 'fonts/NoSuchFont.ttf');
    const err = await createCaptionRenderer({ ...OPTIONS, fontFile: missing }).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain(missing);
  });
});
