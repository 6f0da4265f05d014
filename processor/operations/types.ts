import type { Static, TObject } from '@sinclair/typebox';
import type Sharp from 'sharp';
import type { Operation } from '../../shared/operations/types.ts';

/** Decoded pixels between steps: sRGB, 3 channels, 8 bits, no alpha. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Style of a caption band; every field is already resolved (defaults applied). */
export interface BandStyle {
  fontSize: number;
  padding: number;
  color: string;
  background: string;
}

/** An overlay with alpha: RGBA rows. */
export interface RgbaImage {
  rgba: Buffer;
  width: number;
  height: number;
}

/**
 * What a step may use besides the image. The processor passes these in so
 * that operation modules never load sharp, satori or resvg themselves.
 */
export interface OperationContext {
  sharp: typeof Sharp;
  /** A band `width` pixels wide holding `text`, laid out like the default caption: RGB rows. */
  drawBand(text: string, width: number, style: BandStyle): Promise<{ rgb: Buffer; height: number }>;
  /** `text` in `color` at `fontSize` on a transparent ground, wrapped to at most `maxWidth` px, cropped to its ink. */
  drawText(text: string, maxWidth: number, style: { fontSize: number; color: string }): Promise<RgbaImage>;
  /** The upload's description: the default text of a caption. */
  description: string;
  /** Extra file parts of the upload, by part name (watermark images). */
  files: Record<string, Uint8Array>;
  caption: { fontSize: number; padding: number };
  /** No step may produce more pixels than this, nor a side longer than maxSide. */
  limits: { maxPixels: number; maxSide: number };
}

/**
 * An operation of shared/operations/ with how it changes the pixels: the
 * processor's half of the contract. `apply` gets parameters the shared
 * schema and `check` have already validated.
 */
export interface AppliedOperation<P extends TObject = TObject> extends Operation<P> {
  apply(image: RawImage, params: Static<P>, ctx: OperationContext): Promise<RawImage>;
}

/** Joins a shared operation and its `apply`, the parameter type inferred from the shared schema. */
export function applying<P extends TObject>(
  operation: Operation<P>,
  apply: (image: RawImage, params: Static<P>, ctx: OperationContext) => Promise<RawImage>,
): AppliedOperation<P> {
  return { ...operation, apply };
}

/** A failure caused by the step's parameters meeting this image (a crop outside it, a result too large). */
export class StepInputError extends Error {
  /** The raw text behind the message (libvips' words), for the log and the dead letter. */
  readonly detail: string | undefined;
  constructor(message: string, options: { detail?: string } = {}) {
    super(message);
    this.detail = options.detail;
  }
}
