import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { declaring, encoded } from '../../tests/support/images.ts';
import { readImageSize } from './image-size.ts';

const FIXTURES = join(import.meta.dir, '..', '..', 'tests', 'fixtures');
const SIZES: Array<[number, number]> = [[1, 1], [17, 9], [640, 480], [3, 1000], [1920, 1080]];

/** What sharp says, with its own pixel limit off so large declared sizes are reported too. */
async function sharpSize(b: Uint8Array) {
  const { width, height } = await sharp(b, { limitInputPixels: false }).metadata();
  return { width, height };
}

describe('readImageSize reads the size a real encoder wrote', () => {
  test.each(readdirSync(FIXTURES).filter((f) => f.endsWith('.jpg')))('matches sharp on the JPEG fixture %s', async (name) => {
    const b = new Uint8Array(readFileSync(join(FIXTURES, name)));
    expect(readImageSize(b)).toEqual(await sharpSize(b));
  });

  const variants = [
    ['baseline JPEG', 'jpeg', {}],
    ['progressive JPEG (SOF2)', 'jpeg', { progressive: true }],
    ['PNG', 'png', {}],
    ['PNG with alpha', 'png', { alpha: true }],
    ['GIF', 'gif', {}],
    ['lossy WebP (VP8)', 'webp', {}],
    ['lossless WebP (VP8L)', 'webp', { lossless: true }],
    ['WebP with alpha (VP8X)', 'webp', { alpha: true }],
  ] as const;
  for (const [name, format, options] of variants) {
    test.each(SIZES)(`reads a ${name} of %ix%i`, async (width, height) => {
      const b = await encoded(format, width, height, options);
      expect(readImageSize(b)).toEqual({ width, height });
    });
  }

  test('the WebP variants really use the three chunk layouts', async () => {
    const chunk = async (options: object) => (await encoded('webp', 8, 8, options)).subarray(12, 16).toString('latin1');
    expect([await chunk({}), await chunk({ lossless: true }), await chunk({ alpha: true })]).toEqual(['VP8 ', 'VP8L', 'VP8X']);
  });

  test('skips EXIF and ICC segments in front of the JPEG frame header', async () => {
    const b = await sharp(await encoded('jpeg', 33, 21)).withMetadata({ orientation: 6 }).keepIccProfile().jpeg().toBuffer();
    expect(b[3]).not.toBe(0xc0);
    expect(readImageSize(b)).toEqual({ width: 33, height: 21 });
  });

  test('reads the largest dimensions each format can hold', async () => {
    const gif = await encoded('gif', 4, 4);
    gif.writeUInt16LE(65535, 6);
    gif.writeUInt16LE(65535, 8);
    expect(readImageSize(gif)).toEqual({ width: 65535, height: 65535 });
    const png = await declaring('png', 2 ** 31 - 1, 2 ** 31 - 1);
    expect(readImageSize(png)).toEqual({ width: 2 ** 31 - 1, height: 2 ** 31 - 1 });
  });
});

describe('readImageSize sees a decompression bomb by its header', () => {
  test.each([
    ['jpeg', 30000, 30000],
    ['png', 30000, 30000],
    ['gif', 30000, 30000],
    ['webp-lossy', 16383, 16383],
  ] as const)('reads the %s bomb as %ix%i, as sharp does', async (format, width, height) => {
    const b = await declaring(format, width, height);
    expect(readImageSize(b)).toEqual({ width, height });
    expect(await sharpSize(b)).toEqual({ width, height });
  });

  test('finds a GIF frame that reaches past a small logical screen', async () => {
    const b = await declaring('gif', 30000, 20);
    expect(b.readUInt16LE(6)).toBe(16);
    expect(readImageSize(b)).toEqual({ width: 30000, height: 20 });
  });

  test('reads a WebP VP8X canvas header without the frame behind it', () => {
    const head = Buffer.alloc(30);
    head.write('RIFF', 0, 'latin1');
    head.write('WEBPVP8X', 8, 'latin1');
    head.writeUIntLE(29999, 24, 3);
    head.writeUIntLE(29999, 27, 3);
    expect(readImageSize(head)).toEqual({ width: 30000, height: 30000 });
  });
});

describe('readImageSize gives up quietly on what it cannot read', () => {
  const cuts = async () => [
    ['JPEG', await encoded('jpeg', 40, 30)],
    ['PNG', await encoded('png', 40, 30)],
    ['GIF', await encoded('gif', 40, 30)],
    ['WebP VP8', await encoded('webp', 40, 30)],
    ['WebP VP8L', await encoded('webp', 40, 30, { lossless: true })],
    ['WebP VP8X', await encoded('webp', 40, 30, { alpha: true })],
  ] as const;

  test('every prefix of a real file reads as null or as the true size, never anything else', async () => {
    for (const [name, b] of await cuts()) {
      for (let n = 0; n <= Math.min(b.length, 400); n++) {
        const size = readImageSize(b.subarray(0, n));
        if (size !== null) expect({ name, n, size }).toEqual({ name, n, size: { width: 40, height: 30 } });
      }
    }
  });

  test.each([
    ['nothing', []],
    ['a JPEG start of image only', [0xff, 0xd8, 0xff]],
    ['a JPEG whose first segment is not a marker', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x12, 0x34]],
    ['a JPEG with a segment length below 2', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xc0]],
    ['a JPEG that reaches its scan before any frame header', [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00]],
    ['a JPEG of fill bytes', [0xff, 0xd8, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['a PNG signature without IHDR', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x44, 0x41, 0x54, 0, 0, 0, 1, 0, 0, 0, 1]],
    ['a WebP with an unknown chunk', [...Buffer.from('RIFF\0\0\0\0WEBPVP9 '), 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['a lossy WebP without its start code', [...Buffer.from('RIFF\0\0\0\0WEBPVP8 '), 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 1, 0, 1]],
    ['a TIFF (not read by header)', [...Buffer.from('II*\0'), 8, 0, 0, 0]],
    ['plain text', [...Buffer.from('hello, world, this is not an image at all')]],
  ])('returns null for %s', (_, bytes) => {
    expect(readImageSize(new Uint8Array(bytes))).toBeNull();
  });

  test('returns null for a header that declares zero width or height', async () => {
    expect(readImageSize(await declaring('png', 0, 100))).toBeNull();
    expect(readImageSize(await declaring('jpeg', 100, 0))).toBeNull();
  });

  test('never throws on random bytes behind each magic number', () => {
    const magics = [[0xff, 0xd8, 0xff], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [...Buffer.from('GIF89a')], [...Buffer.from('RIFF\0\0\0\0WEBP')]];
    for (let round = 0; round < 2000; round++) {
      const magic = magics[round % magics.length]!;
      const tail = crypto.getRandomValues(new Uint8Array(round % 64));
      const size = readImageSize(new Uint8Array([...magic, ...tail]));
      if (size) expect(size.width > 0 && size.height > 0).toBe(true);
    }
  });

  test('walks 4 MB of GIF blocks in well under a millisecond per read', async () => {
    // A comment extension of 16,000 full sub-blocks in front of the frame.
    const gif = await encoded('gif', 40, 30);
    const table = gif[10]! & 0x80 ? 3 * 2 ** ((gif[10]! & 0x07) + 1) : 0;
    const block = Buffer.alloc(256, 0x61);
    block[0] = 255;
    const comment = Buffer.concat([Buffer.from([0x21, 0xfe]), ...Array(16_000).fill(block), Buffer.from([0])]);
    const b = Buffer.concat([gif.subarray(0, 13 + table), comment, gif.subarray(13 + table)]);
    expect(b.length).toBeGreaterThan(4_000_000);
    expect(readImageSize(b)).toEqual({ width: 40, height: 30 });
    const start = performance.now();
    for (let i = 0; i < 100; i++) readImageSize(b);
    expect((performance.now() - start) / 100).toBeLessThan(1);
  });
});
