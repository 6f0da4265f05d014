import sharp, { type Metadata } from 'sharp';
import { ImageDecodeError } from '../../shared/errors.ts';
import { decodeFailure } from '../failure-class.ts';
import { copyRgbaAsRgb } from './band.ts';
import { orientedSize, readJpegSize } from '../../shared/image/jpeg-markers.ts';
import type { RawBufferPool } from './raw-buffer-pool.ts';

/** JPEG cannot hold more than this many rows or columns. */
export const JPEG_MAX_DIMENSION = 65_535;

export interface DecodedPhoto {
  rgb: Buffer;
  width: number;
  height: number;
}

export interface PhotoHeader {
  /** Width and height after EXIF orientation, as the decoded photo will be. */
  width: number;
  height: number;
}

/**
 * Reads the photo's header only: the size the caption must be laid out to,
 * and a decompression bomb refused by its declared size before a single pixel
 * is decoded. JPEG markers are read here in JavaScript (microseconds); other
 * formats, and any JPEG whose markers are unusual, ask sharp.
 */
export async function readPhotoHeader(input: Uint8Array, maxInputPixels: number): Promise<PhotoHeader> {
  const jpeg = readJpegSize(input);
  const { width, height, oriented } = jpeg
    ? { width: jpeg.width, height: jpeg.height, oriented: orientedSize(jpeg) }
    : await readHeaderWithSharp(input);
  if (width * height > maxInputPixels) {
    throw new ImageDecodeError(
      `the image is ${width}x${height} (${width * height} pixels); at most ${maxInputPixels} pixels are allowed`,
      { code: 'image_too_large' },
    );
  }
  return oriented;
}

async function readHeaderWithSharp(input: Uint8Array) {
  let meta: Metadata;
  try {
    // Only the header is read here; sharp's default pixel limit would turn a
    // bomb into "undecodable" instead of the image_too_large said above.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw decodeFailure(cause, 'the upload is not an image that can be decoded');
  }
  const { width = 0, height = 0 } = meta;
  return { width, height, oriented: { width: meta.autoOrient?.width ?? width, height: meta.autoOrient?.height ?? height } };
}

/**
 * Decodes the photo once to raw sRGB rows with EXIF orientation applied and
 * transparency flattened onto black. Runs on libvips' threads, so the caller
 * can lay out the caption on the JS thread meanwhile.
 */
export async function decodePhoto(input: Uint8Array, maxInputPixels: number): Promise<DecodedPhoto> {
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxInputPixels, failOn: 'error' })
      .rotate()
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { rgb: data, width: info.width, height: info.height };
  } catch (cause) {
    throw decodeFailure(cause, 'the image could not be decoded');
  }
}

export interface JpegOptions {
  quality: number;
  optimiseCoding: boolean;
  progressive: boolean;
}

export interface RawImage {
  rgb: Buffer;
  width: number;
  height: number;
}

export interface StackedImage extends RawImage {
  /** Gives the rows back to the pool; call once the encode has finished with them. */
  release(): void;
}

/**
 * Writes the photo's rows and then the band's (RGBA, alpha dropped: the band
 * is opaque) into one buffer from `pool`: no resize, no composite, one copy.
 * The pool matters under load: a fresh megabyte per image cost ~1 ms of page
 * faults, more than the copy itself.
 */
export function stackBand(photo: DecodedPhoto, bandRgba: Uint8Array, bandHeight: number, pool: RawBufferPool): StackedImage {
  const height = photo.height + bandHeight;
  if (height > JPEG_MAX_DIMENSION) {
    throw new ImageDecodeError(
      `the captioned image would be ${height} pixels tall; JPEG allows at most ${JPEG_MAX_DIMENSION}`,
      { code: 'image_too_large' },
    );
  }
  const pixels = photo.width * bandHeight;
  if (bandRgba.length < pixels * 4) throw new Error(`band has ${bandRgba.length} bytes, expected ${pixels * 4}`);
  const { buffer: rgb, release } = pool.take(photo.rgb.length + pixels * 3);
  rgb.set(photo.rgb, 0);
  copyRgbaAsRgb(bandRgba, pixels, rgb, photo.rgb.length);
  return { rgb, width: photo.width, height, release };
}

/** Encodes once; mozjpeg is off because its trellis search costs far more than it saves here. */
export function encodeJpeg(image: RawImage, jpeg: JpegOptions): Promise<Buffer> {
  return sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: jpeg.quality, optimiseCoding: jpeg.optimiseCoding, progressive: jpeg.progressive, mozjpeg: false })
    .toBuffer();
}
