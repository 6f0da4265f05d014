import { readJpegSize } from './jpeg-markers.ts';

export interface ImageSize {
  width: number;
  height: number;
}

const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
// `>>> 0` keeps the top bit from making the value negative.
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u32le = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));

function sized(width: number, height: number): ImageSize | null {
  return width > 0 && height > 0 ? { width, height } : null;
}

/**
 * Width and height as an image's header declares them, read without decoding
 * a pixel: JPEG (the first SOFn frame header), PNG (IHDR), GIF (the logical
 * screen and its frames) and WebP (VP8, VP8L or VP8X). Returns null for other formats and for
 * a header that is cut short or malformed: telling a broken file from a good
 * one is the decoder's job, and the processor still checks the pixel count
 * with sharp before decoding.
 */
export function readImageSize(b: Uint8Array): ImageSize | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(b);
  if (b.length >= 8 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return pngSize(b);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return gifSize(b);
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return webpSize(b);
  return null;
}

/** The JPEG's stored size (before EXIF orientation, as the other formats' headers give it). */
function jpegSize(b: Uint8Array): ImageSize | null {
  const frame = readJpegSize(b);
  return frame && sized(frame.width, frame.height);
}

function pngSize(b: Uint8Array): ImageSize | null {
  // The IHDR chunk must come first: length (4), type (4), width (4), height (4).
  if (b.length < 24 || ascii(b, 12, 16) !== 'IHDR') return null;
  return sized(u32be(b, 16), u32be(b, 20));
}

/**
 * The logical screen, grown to cover every frame: decoders (libnsgif in sharp)
 * enlarge the canvas to a frame that reaches past it, so a small screen can
 * hide a huge frame. Frames are found by skipping blocks by their lengths; the
 * LZW data is never decoded. A file cut short yields what was read before it.
 */
function gifSize(b: Uint8Array): ImageSize | null {
  if (b.length < 13) return null;
  let width = u16le(b, 6);
  let height = u16le(b, 8);
  let i = 13 + colourTableBytes(b[10]!);
  while (i < b.length) {
    const block = b[i];
    if (block === 0x2c) {
      // Image descriptor: left, top, width, height (2 bytes each), packed flags.
      if (i + 10 > b.length) break;
      width = Math.max(width, u16le(b, i + 1) + u16le(b, i + 5));
      height = Math.max(height, u16le(b, i + 3) + u16le(b, i + 7));
      // The local colour table, then the LZW minimum code size, then data sub-blocks.
      i = skipSubBlocks(b, i + 10 + colourTableBytes(b[i + 9]!) + 1);
    } else if (block === 0x21) {
      // Extension: introducer, label, then sub-blocks.
      i = skipSubBlocks(b, i + 2);
    } else {
      break; // the trailer (0x3B) or garbage
    }
  }
  return sized(width, height);
}

function colourTableBytes(flags: number): number {
  return flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0;
}

/** The offset after a chain of length-prefixed sub-blocks and its zero terminator. */
function skipSubBlocks(b: Uint8Array, i: number): number {
  while (i < b.length && b[i] !== 0) i += b[i]! + 1;
  return i + 1;
}

/** The first chunk after `RIFF....WEBP` says which of the three layouts follows. */
function webpSize(b: Uint8Array): ImageSize | null {
  const chunk = ascii(b, 12, 16);
  const data = 20;
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
    if (b.length < data + 10 || b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) return null;
    return sized(u16le(b, data + 6) & 0x3fff, u16le(b, data + 8) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    // Lossless: the signature 0x2F, then width - 1 and height - 1 in 14 bits each.
    if (b.length < data + 5 || b[data] !== 0x2f) return null;
    const bits = u32le(b, data + 1);
    return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    // Extended: flags (1), reserved (3), canvas width - 1 and height - 1 in 24 bits each.
    if (b.length < data + 10) return null;
    return sized(u24le(b, data + 4) + 1, u24le(b, data + 7) + 1);
  }
  return null;
}
