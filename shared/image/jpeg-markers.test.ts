import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import sharp from 'sharp';
import { declaring, encoded } from '../../tests/support/images.ts';
import { orientedSize, readJpegSize } from './jpeg-markers.ts';

const ROOT = join(import.meta.dir, '../..');
const FIXTURES = ['cat-640x480.jpg', 'rocket-480x640.jpg', 'coffee-1920x1280.jpg', 'astronaut-640x480.jpg'];

/** What sharp (libvips) says the same bytes decode to: the reference. */
async function sharpSays(bytes: Uint8Array) {
  const m = await sharp(bytes).metadata();
  return { width: m.autoOrient?.width ?? m.width, height: m.autoOrient?.height ?? m.height };
}

describe('reading a JPEG size from its markers', () => {
  test.each(FIXTURES)('agrees with sharp on the real photo %s', async (name) => {
    const bytes = await Bun.file(join(ROOT, 'tests/fixtures', name)).bytes();
    const size = readJpegSize(bytes);
    expect(size).not.toBeNull();
    expect(orientedSize(size!)).toEqual(await sharpSays(bytes));
  });

  test.each([1, 3, 5, 6, 8])('turns the size for EXIF orientation %i as sharp does', async (orientation) => {
    const bytes = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#345' } })
      .jpeg()
      .withMetadata({ orientation })
      .toBuffer();
    const size = readJpegSize(bytes)!;
    expect(size.orientation).toBe(orientation);
    expect(orientedSize(size)).toEqual(await sharpSays(bytes));
  });

  test('reads progressive JPEGs (SOF2) too', async () => {
    const bytes = await encoded('jpeg', 33, 17, { progressive: true });
    expect(readJpegSize(bytes)).toEqual({ width: 33, height: 17, orientation: 1 });
  });

  test('reads a bomb header as declared, so it can be refused before decoding', async () => {
    const bytes = await declaring('jpeg', 30_000, 30_000);
    expect(readJpegSize(bytes)).toEqual({ width: 30_000, height: 30_000, orientation: 1 });
  });

  test('finds the frame header after a large application segment', async () => {
    const bytes = await encoded('jpeg', 20, 10);
    const app = Buffer.alloc(4 + 60_000, 0x41);
    app.writeUInt16BE(0xffe2, 0);
    app.writeUInt16BE(60_002, 2);
    const padded = Buffer.concat([bytes.subarray(0, 2), app, bytes.subarray(2)]);
    expect(readJpegSize(padded)).toEqual({ width: 20, height: 10, orientation: 1 });
  });

  test('leaves anything it cannot read to sharp by answering null', async () => {
    const jpeg = await encoded('jpeg', 20, 10);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const zeroHeight = Buffer.from(jpeg);
    zeroHeight.writeUInt16BE(0, sof + 5); // height given later by a DNL marker
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array()],
      ['PNG', await encoded('png', 20, 10)],
      ['text', Buffer.from('not an image at all')],
      ['cut inside the markers', jpeg.subarray(0, sof + 4)],
      ['cut before the frame header', jpeg.subarray(0, 20)],
      ['garbage where a marker should be', Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0x12, 0x34, 0x56, 0x78])])],
      ['height left to a DNL marker', zeroHeight],
    ];
    for (const [, bytes] of cases) expect(readJpegSize(bytes)).toBeNull();
  });

  test('skips EXIF and ICC segments in front of the frame header, keeping the orientation', async () => {
    const b = await sharp(await encoded('jpeg', 33, 21)).withMetadata({ orientation: 6 }).keepIccProfile().jpeg().toBuffer();
    expect(b[3]).not.toBe(0xc0);
    expect(readJpegSize(b)).toEqual({ width: 33, height: 21, orientation: 6 });
  });

  test('every prefix of a real JPEG reads as null or as the true size, never anything else', async () => {
    const b = await encoded('jpeg', 40, 30);
    for (let n = 0; n <= Math.min(b.length, 400); n++) {
      const size = readJpegSize(b.subarray(0, n));
      if (size !== null) expect({ n, size }).toEqual({ n, size: { width: 40, height: 30, orientation: 1 } });
    }
  });

  test.each([
    ['a start of image only', [0xff, 0xd8, 0xff]],
    ['a first segment that is not a marker', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x12, 0x34]],
    ['a segment length below 2', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xc0]],
    ['the scan before any frame header', [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00]],
    ['fill bytes only', [0xff, 0xd8, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ])('answers null for %s', (_, bytes) => {
    expect(readJpegSize(new Uint8Array(bytes))).toBeNull();
  });
});
