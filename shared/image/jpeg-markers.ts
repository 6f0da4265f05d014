/**
 * The one walker of JPEG marker segments: the size a JPEG declares (its
 * first frame header) and its EXIF orientation, read in JavaScript without
 * decoding a pixel.
 *
 * The API reads it to refuse a decompression bomb before queueing it
 * (image-size.ts); the processor reads it to lay out the caption, because
 * asking sharp costs a libvips open of the file and a round trip through its
 * thread pool (~0.3-0.6 ms, more under load), while the markers hold the
 * answer in a few hundred bytes. Anything unusual (cut short, malformed, a
 * height left to a DNL marker) returns null: the caller asks the decoder.
 */

export interface JpegSize {
  /** As stored, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1-8; 1 when absent or unreadable. */
  orientation: number;
}

/** Start-of-frame markers (they carry the frame size): C0-CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * The first frame header's size and the first Exif block's orientation, or
 * null when `bytes` is not a JPEG whose segments up to that header are whole
 * and well formed.
 */
export function readJpegSize(bytes: Uint8Array): JpegSize | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let orientation = 1;
  let seenExif = false;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    // Fill bytes before a marker are allowed.
    if (marker === 0xff) {
      at++;
      continue;
    }
    // Markers without a length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    // The image data starts before any frame header: nothing to read here.
    if (marker === 0xda || marker === 0xd9) return null;
    const length = view.getUint16(at + 2);
    const body = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return null;
    if (isStartOfFrame(marker)) {
      if (length < 7) return null;
      const height = view.getUint16(body + 1);
      const width = view.getUint16(body + 3);
      // Height 0 means "given later by a DNL marker": leave that to libvips.
      if (width === 0 || height === 0) return null;
      return { width, height, orientation };
    }
    // libvips reads the first Exif block; so does this.
    if (marker === 0xe1 && !seenExif && isExif(bytes, body, end)) {
      seenExif = true;
      orientation = exifOrientation(view, body + 6, end) ?? 1;
    }
    at = end;
  }
  return null;
}

/** Width and height as the photo will be shown, EXIF orientation applied (5-8 turn it a quarter). */
export function orientedSize(size: JpegSize): { width: number; height: number } {
  return size.orientation >= 5 ? { width: size.height, height: size.width } : { width: size.width, height: size.height };
}

const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

function isExif(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < EXIF_ID.length) return false;
  return EXIF_ID.every((b, i) => bytes[start + i] === b);
}

/** Tag 0x0112 of IFD0 in the TIFF structure starting at `tiff`; undefined when absent or malformed. */
function exifOrientation(view: DataView, tiff: number, end: number): number | undefined {
  if (tiff + 8 > end) return undefined;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return undefined;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}
