import { createHash } from 'node:crypto';
import { BadRequestError } from '../../shared/errors.ts';
import type { Upload } from './upload.ts';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
// Printable ASCII, space included (HTTP has already trimmed the ends).
const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * The request's `Idempotency-Key`, or undefined when it sent none. A key must
 * be 1 to 255 printable ASCII characters; anything else is a 400, refused
 * before the body is read.
 */
export function idempotencyKeyOf(headers: Headers): string | undefined {
  const key = headers.get('idempotency-key');
  if (key === null) return undefined;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !PRINTABLE.test(key)) {
    const bad = [...key].find((c) => !PRINTABLE.test(c));
    const got = bad === undefined ? `${key.length} characters` : `the character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new BadRequestError(
      `Idempotency-Key header: expected 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, got ${got}`,
      'invalid_idempotency_key',
    );
  }
  return key;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

/** The name a key is stored under: fixed length, and no client text inside Redis key names. */
export function hashIdempotencyKey(key: string): string {
  return sha256(key).toString('hex');
}

/**
 * What makes two uploads the same request: the image bytes (or its URL), the description,
 * and the pipeline with its files when there is one. Each variable-length part
 * after the first is preceded by a fixed-length digest or a NUL, so parts
 * cannot run into each other; an upload without operations keeps the
 * fingerprint it always had.
 */
export function fingerprintUpload(upload: Pick<Upload, 'image' | 'source' | 'description' | 'operations' | 'files' | 'callbackUrl'>): string {
  // An address is hashed with a prefix, so it can never match the digest of some image's bytes.
  const picture = upload.image ? sha256(upload.image) : sha256(`url\0${upload.source?.url ?? ''}`);
  const hash = createHash('sha256').update(picture).update(upload.description, 'utf8');
  if (upload.operations !== undefined) hash.update('\0operations\0').update(upload.operations, 'utf8');
  // A callback elsewhere is another request; none keeps the fingerprint uploads always had.
  if (upload.callbackUrl !== undefined) hash.update('\0callback_url\0').update(upload.callbackUrl, 'utf8');
  for (const name of Object.keys(upload.files ?? {}).sort()) hash.update(`\0${name}\0`).update(sha256(upload.files![name]!));
  return hash.digest('hex');
}

/** What makes two batches the same request: every image's fingerprint, in order. */
export function fingerprintBatch(uploads: Array<Pick<Upload, 'image' | 'source' | 'description' | 'operations' | 'files' | 'callbackUrl'>>): string {
  const hash = createHash('sha256').update('batch\0');
  for (const upload of uploads) hash.update(fingerprintUpload(upload));
  return hash.digest('hex');
}
