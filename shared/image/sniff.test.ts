import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { sniffImageType } from './sniff.ts';

const FIXTURES = join(import.meta.dir, '..', '..', 'tests', 'fixtures');
const JPEG_FIXTURES = readdirSync(FIXTURES).filter((f) => f.endsWith('.jpg'));

/** A tiny image encoded in memory by sharp in the given format. */
async function encoded(format: 'png' | 'webp' | 'gif' | 'tiff' | 'avif', options: object = {}): Promise<Uint8Array> {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } } });
  return new Uint8Array(await image.toFormat(format, options).toBuffer());
}

const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('sniffImageType recognises real images', () => {
  test('finds the JPEG fixtures', () => {
    expect(JPEG_FIXTURES.length).toBeGreaterThan(0);
  });

  test.each(JPEG_FIXTURES)('tells the JPEG fixture %s is image/jpeg', (name) => {
    expect(sniffImageType(new Uint8Array(readFileSync(join(FIXTURES, name))))).toBe('image/jpeg');
  });

  test.each([
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['tiff', 'image/tiff'],
    ['avif', 'image/avif'],
  ] as const)('tells a %s made by sharp is %s', async (format, type) => {
    expect(sniffImageType(await encoded(format))).toBe(type);
  });

  test('tells a lossless WebP is image/webp', async () => {
    expect(sniffImageType(await encoded('webp', { lossless: true }))).toBe('image/webp');
  });

  test('needs only the leading bytes, not the whole file', async () => {
    expect(sniffImageType((await encoded('png')).subarray(0, 8))).toBe('image/png');
    expect(sniffImageType((await encoded('webp')).subarray(0, 12))).toBe('image/webp');
    expect(sniffImageType((await encoded('avif')).subarray(0, 12))).toBe('image/avif');
  });
});

describe('sniffImageType recognises hand-made headers', () => {
  test.each([
    ['a bare JPEG SOI marker', bytes([0xff, 0xd8, 0xff]), 'image/jpeg'],
    ['GIF87a', bytes('GIF87a'), 'image/gif'],
    ['GIF89a', bytes('GIF89a'), 'image/gif'],
    ['little-endian TIFF', bytes('II*', [0]), 'image/tiff'],
    ['big-endian TIFF', bytes('MM', [0], '*'), 'image/tiff'],
    ['an AVIF image sequence (avis)', bytes([0, 0, 0, 0x1c], 'ftypavis'), 'image/avif'],
    ['a PNG signature', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
  ])('tells %s', (_, input, type) => {
    expect(sniffImageType(input)).toBe(type);
  });
});

describe('sniffImageType refuses everything else', () => {
  test.each([
    ['no bytes', bytes()],
    ['plain text', bytes('hello, this is not an image')],
    ['an SVG document', bytes('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['a PDF', bytes('%PDF-1.7\n')],
    ['a BMP', bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['a ZIP archive', bytes('PK', [3, 4, 0, 0, 0, 0, 0, 0])],
    ['a HEIC photo', bytes([0, 0, 0, 0x18], 'ftypheic')],
    ['an MP4 video', bytes([0, 0, 0, 0x18], 'ftypisom')],
    ['a RIFF WAVE file', bytes('RIFF', [0, 0, 0, 0], 'WAVE')],
    ['an invented GIF version', bytes('GIF88a')],
    ['two bytes of a JPEG marker', bytes([0xff, 0xd8])],
    ['a JPEG marker shifted by one byte', bytes([0x00, 0xff, 0xd8, 0xff])],
    ['a PNG signature cut to four bytes', bytes([0x89], 'PNG')],
    ['RIFF with no room for its form type', bytes('RIFF', [0, 0, 0, 0], 'WEB')],
    ['a lowercase "png" after 0x89', bytes([0x89], 'png', [0x0d, 0x0a, 0x1a, 0x0a])],
    ['TIFF-like bytes with the wrong magic number', bytes('II+', [0])],
    ['ftyp with no brand', bytes([0, 0, 0, 0x08], 'ftyp')],
    ['all zeros', new Uint8Array(64)],
    ['all 0xff', new Uint8Array(64).fill(0xff).map((v, i) => (i === 1 ? 0 : v))],
  ])('returns null for %s', (_, input) => {
    expect(sniffImageType(input)).toBeNull();
  });

  test('returns null for random junk', () => {
    // A fixed pseudo-random sequence, so a failure is reproducible.
    let seed = 42;
    const junk = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
    junk[0] = 0x00; // keep the first byte off every signature
    expect(sniffImageType(junk)).toBeNull();
  });

  test('looks only at the start: a PNG embedded after other bytes is not a PNG', async () => {
    const png = await encoded('png');
    const wrapped = new Uint8Array(png.length + 4);
    wrapped.set(bytes('junk'));
    wrapped.set(png, 4);
    expect(sniffImageType(wrapped)).toBeNull();
  });
});
