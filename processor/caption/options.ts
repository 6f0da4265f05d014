import type { Config } from '../../shared/config.ts';

/** Everything the caption path needs, read once from config at start. */
export interface CaptionOptions {
  /** A TTF/OTF file with the glyphs users write in (Latin and Cyrillic at least). */
  fontFile: string;
  /** Font size in CSS pixels. */
  fontSize: number;
  /** Space around the text block inside the band, in pixels. */
  padding: number;
  /** Line height as a multiple of the font size. */
  lineHeight: number;
  jpegQuality: number;
  jpegOptimiseCoding: boolean;
  jpegProgressive: boolean;
  /** Photos whose header declares more pixels than this are refused before decoding. */
  maxInputPixels: number;
}

/** The caption settings of a deployment, as its config states them. */
export function captionOptionsOf(config: Config): CaptionOptions {
  return {
    fontFile: config.fontFile,
    fontSize: config.fontSize,
    padding: config.captionPadding,
    lineHeight: config.captionLineHeight,
    jpegQuality: config.jpegQuality,
    jpegOptimiseCoding: config.jpegOptimiseCoding,
    jpegProgressive: config.jpegProgressive,
    maxInputPixels: config.maxInputPixels,
  };
}

/**
 * Per-stage cost of one render, in milliseconds, for logs and the benchmark.
 * `decode` (header read and pixels) overlaps `layout` + `rasterize`, so the
 * stages add up to more than `total`, the wall time of the whole render.
 */
export interface CaptionTimings {
  decode: number;
  layout: number;
  rasterize: number;
  compose: number;
  /** The result's encode and its thumbnail's, which run side by side. */
  encode: number;
  total: number;
}

export interface CaptionResult {
  jpeg: Buffer;
  /** The result's thumbnail (JPEG, at most 320 px), made from the same rows. */
  thumbnail: Buffer;
  width: number;
  height: number;
  bandHeight: number;
  timings: CaptionTimings;
}
