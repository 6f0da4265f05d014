import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export type Format = 'jpeg' | 'png' | 'gif' | 'webp';

/** A plain image of the given size, encoded by sharp in memory. */
export async function encoded(
  format: Format,
  width: number,
  height: number,
  options: { alpha?: boolean; lossless?: boolean; progressive?: boolean } = {},
): Promise<Buffer> {
  const background = { r: 40, g: 90, b: 160, alpha: options.alpha ? 0.5 : 1 };
  const image = sharp({ create: { width, height, channels: options.alpha ? 4 : 3, background } });
  return image.toFormat(format, { lossless: options.lossless, progressive: options.progressive }).toBuffer();
}

/**
 * A small real image whose header is patched to declare `width` x `height`:
 * a decompression bomb's header without its pixels. sharp reads the same size
 * from it (the tests check), so it stands for the real thing.
 */
export async function declaring(format: 'jpeg' | 'png' | 'gif' | 'webp-lossy', width: number, height: number): Promise<Buffer> {
  if (format === 'jpeg') {
    const b = await encoded('jpeg', 16, 12);
    // sharp writes a baseline frame header (SOF0): FF C0, length, precision, height, width.
    const sof = b.indexOf(Buffer.from([0xff, 0xc0]));
    b.writeUInt16BE(height, sof + 5);
    b.writeUInt16BE(width, sof + 7);
    return b;
  }
  if (format === 'png') {
    const b = await encoded('png', 16, 12);
    b.writeUInt32BE(width, 16);
    b.writeUInt32BE(height, 20);
    // The IHDR checksum covers its type and data (bytes 12..28); decoders verify it.
    b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
    return b;
  }
  if (format === 'gif') {
    // The frame, not the logical screen: decoders grow a small screen to fit its frames.
    const b = await encoded('gif', 16, 12);
    const colourTable = b[10]! & 0x80 ? 3 * 2 ** ((b[10]! & 0x07) + 1) : 0;
    const descriptor = b.indexOf(0x2c, 13 + colourTable);
    b.writeUInt16LE(width, descriptor + 5);
    b.writeUInt16LE(height, descriptor + 7);
    return b;
  }
  // Lossy WebP holds 14 bits per dimension, at most 16383.
  const b = await encoded('webp', 16, 12);
  b.writeUInt16LE(width, 26);
  b.writeUInt16LE(height, 28);
  return b;
}
