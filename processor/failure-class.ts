import { ImageDecodeError, OperationError } from '../shared/errors.ts';
import { StepInputError } from './operations/types.ts';

/**
 * The processor's one failure-class rule, for the caption path and the step
 * pipeline alike: an input fault (bytes that do not decode, parameters that
 * cannot apply to this image) becomes a permanent error, dead-lettered at
 * once; anything else (memory or file handles running out, a bug) stays as
 * it is, and the consumer retries it with backoff up to MAX_DELIVERIES.
 */

// errno codes of a resource running out, as Node and Bun set them on `code`.
const EXHAUSTED_CODES = new Set(['ENOMEM', 'EMFILE', 'ENFILE', 'ENOSPC', 'EAGAIN', 'EIO']);

// libvips reports every failure as text only, and sharp passes it on as a
// plain Error without a code, so whether a decode failed because of the bytes
// or because the machine ran short can only be read from the message. These
// are the phrases libvips and the C libraries under it (libjpeg, libpng,
// glib, the OS's strerror) use when memory, file handles or temporary disk
// run out; kept here, in this one function, so no other code reads messages.
const LIBVIPS_EXHAUSTED = /out of memory|cannot allocate|too many open files|no space left on device|resource temporarily unavailable/i;

/** True when `err` says a resource of the machine ran out, not that the input is bad. */
export function isResourceFailure(err: unknown): boolean {
  // The JS engine's own "Out of memory" / "Array buffer allocation failed".
  if (err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && EXHAUSTED_CODES.has(code)) return true;
  return err instanceof Error && LIBVIPS_EXHAUSTED.test(err.message);
}

// What libvips says of bytes that end too soon, in the words of libjpeg,
// libpng, libwebp and libtiff (read here only, like LIBVIPS_EXHAUSTED).
const LIBVIPS_CUT_SHORT = /premature end|unexpected end|truncated|not enough data|read error|end of file|EOF/i;

/** The uploader's one sentence for bytes that do not decode; the raw text goes to `detail`. */
export function clearDecodeReason(raw: string): string {
  if (LIBVIPS_CUT_SHORT.test(raw)) return 'The image file is cut short or damaged and cannot be decoded.';
  return 'The file is damaged or is not an image kadr can read (JPEG, PNG, WebP, GIF, TIFF or AVIF).';
}

/**
 * libvips gathers every line its decoders wrote, so one fault often repeats
 * (five times "VipsJpeg: premature end of JPEG image"): each line once.
 */
export function distinctLines(raw: string): string {
  // sharp prefixes the first line ("Input buffer has corrupt header: VipsJpeg: ..."): split there too.
  const lines = raw.split(/\n|:\s+(?=Vips)/).map((l) => l.trim()).filter(Boolean);
  return [...new Set(lines)].join('; ');
}

/**
 * A failure while libvips read the upload's own bytes: the input's fault
 * (permanent ImageDecodeError with one clear sentence as its message, and
 * `context` with libvips' words as its detail), unless a resource ran out.
 */
export function decodeFailure(cause: unknown, context: string): Error {
  if (isResourceFailure(cause)) return asError(cause);
  const raw = messageOf(cause);
  return new ImageDecodeError(clearDecodeReason(raw), { cause, detail: `${context}: ${distinctLines(raw)}` });
}

/**
 * A failure of a pipeline step (or of its encode), `where` naming it: a
 * step that cannot apply to this input is a permanent OperationError; any
 * other failure is transient and keeps its class, its message naming the step.
 */
export function stepFailure(cause: unknown, where: string): Error {
  if (cause instanceof StepInputError) return new OperationError(`${where}: ${cause.message}`, { cause, detail: cause.detail });
  // Already classified below (a watermark image that does not decode).
  if (cause instanceof ImageDecodeError || cause instanceof OperationError) return cause;
  // A new error, so one that is thrown again (a cached failure) is never prefixed twice.
  const err = asError(cause);
  const wrapped = new Error(`${where}: ${err.message}`, { cause: err });
  wrapped.name = err.name;
  return Object.assign(wrapped, 'code' in err ? { code: (err as { code?: unknown }).code } : {});
}

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(String(cause));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
