import { BadRequestError, KadrError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors.ts';
import type { Config } from '../../shared/config.ts';
import { stepsJson } from '../../shared/operations/steps.ts';
import { readCallbackUrl } from './callback-url.ts';
import { validateDescription } from './description.ts';
import { readImagePart } from './file-part.ts';
import { declaredOverPixelLimit } from '../../shared/image/pixel-limit.ts';
import { isEmpty, MAX_STEP_FILE_BYTES, MAX_STEP_FILES, readOperations, readShortcutStep, readStepFiles } from './operations-field.ts';
import { hasDeclaredLength, readBodyLimited } from './read-body.ts';
import { readSourceUrl, type ImageSource } from './source-url.ts';
import type { Shortcut } from './shortcuts.ts';

export interface UploadLimits {
  maxUploadBytes: number;
  maxDescriptionLength: number;
  maxInputPixels: number;
  /** Whether a `callback_url` is accepted (WEBHOOK_SECRET is set); absent means no. */
  callbacks?: boolean;
}

/** The limits every upload is checked against, from the config. */
export function uploadLimits(
  config: Pick<Config, 'maxUploadBytes' | 'maxDescriptionLength' | 'maxInputPixels'> & Partial<Pick<Config, 'webhookSecret'>>,
): UploadLimits {
  return {
    maxUploadBytes: config.maxUploadBytes,
    maxDescriptionLength: config.maxDescriptionLength,
    maxInputPixels: config.maxInputPixels,
    callbacks: config.webhookSecret !== undefined,
  };
}

/** An accepted upload: exactly one of `image` (the bytes sent) and `source` (an address for the processor to fetch). */
export interface Upload {
  image?: Uint8Array;
  source?: ImageSource;
  description: string;
  /** The type the image's bytes tell; unknown for a source until it is fetched. */
  contentType?: string;
  /** The pipeline as JSON text, validated; absent for the default caption. */
  operations?: string;
  /** Extra file parts the steps refer to (watermark images), by part name. */
  files?: Record<string, Uint8Array>;
  /** Where the job's webhook goes (api/callback-url.ts); for a batch, the batch's. */
  callbackUrl?: string;
}

// Room for the multipart framing, the text fields and the watermark images around the photo itself.
export const MULTIPART_OVERHEAD = 64 * 1024;
const BODY_ALLOWANCE = MULTIPART_OVERHEAD + MAX_STEP_FILES * MAX_STEP_FILE_BYTES;

/**
 * Reads and checks an upload body: `POST /api/images`, or with `shortcut`
 * one of the single-operation endpoints. The image is not decoded here (the
 * processor does that); only its presence, size, leading magic bytes and the
 * pixel count its header declares are checked, so an upload costs no image
 * work in the API and a decompression bomb never reaches the queue. The
 * pipeline is validated against the operations' schemas. Instead of the
 * `image` part the form may carry `url`, the image's address: checked here as
 * a URL only (the route asks the SSRF guard before queueing), fetched by the
 * processor.
 */
export async function readUpload(request: Request, limits: UploadLimits, shortcut?: Shortcut): Promise<Upload> {
  const form = await readForm(
    request,
    limits.maxUploadBytes + BODY_ALLOWANCE,
    `an image of at most ${limits.maxUploadBytes} bytes, up to ${MAX_STEP_FILES} watermark images of ${MAX_STEP_FILE_BYTES} and the form around them`,
  );
  const picture = await readImageOrSource(form, limits);
  const descriptions = form.getAll('description');
  if (descriptions.length > 1) throw new ValidationError('description', `send it once, got ${descriptions.length}`, 'too_many_values');
  // A shortcut needs no description (sent empty, it is not sent); its row then says what was done.
  const given = descriptions[0];
  const description =
    shortcut && (given === undefined || (typeof given === 'string' && isEmpty(given)))
      ? shortcut.operation.name
      : validateDescription(given, limits.maxDescriptionLength);
  const steps = shortcut ? readShortcutStep(form, shortcut) : await readOperations(form);
  const callbackUrl = readCallbackUrl(form, limits.callbacks === true);
  const upload: Upload = { ...picture, description, ...(callbackUrl && { callbackUrl }) };
  if (!steps) return upload;
  return { ...upload, operations: stepsJson(steps), files: await readStepFiles(form, steps) };
}

/** The one `image` file part, checked, or the one `url`; both, or two of either, are 422 naming the field. */
async function readImageOrSource(form: FormData, limits: UploadLimits): Promise<Pick<Upload, 'image' | 'source' | 'contentType'>> {
  // An empty `url` is not sent (Swagger UI sends untouched optional fields empty).
  const urls = form.getAll('url').filter((u) => typeof u !== 'string' || !isEmpty(u));
  if (urls.length === 0) {
    const { bytes: image, contentType } = await readImagePart(
      form,
      'image',
      limits.maxUploadBytes,
      'send the photo as a file part named "image", or its address as a field named "url"',
    );
    refuseBomb(image, limits.maxInputPixels);
    return { image, contentType };
  }
  if (form.has('image')) throw new ValidationError('url', 'send the photo as an "image" file part or its address as "url", not both', 'conflicting_fields');
  if (urls.length > 1) throw new ValidationError('url', `send it once, got ${urls.length}`, 'too_many_values');
  return { source: readSourceUrl(urls[0]!, 'url') };
}

/** Reads a multipart/form-data body of at most `maxBytes` (`why` says what makes up that limit) and parses it. */
export async function readForm(request: Request, maxBytes: number, why: string): Promise<FormData> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new UnsupportedMediaTypeError(
      `expected a multipart/form-data body with fields "image" and "description", got Content-Type "${type || 'none'}"`,
      'unsupported_content_type',
    );
  }
  // A declared length is parsed natively in one go; reading the body chunk by
  // chunk (a promise each) and parsing a copy was ~30 % of the api's CPU per
  // upload. Only a body sent without a length is counted as it streams.
  const form = hasDeclaredLength(request, maxBytes, why)
    ? request.formData()
    : readBodyLimited(request, maxBytes, why).then((body) => new Response(body, { headers: { 'content-type': type } }).formData());
  try {
    return await form;
  } catch (err) {
    if (err instanceof KadrError) throw err;
    throw new BadRequestError('the multipart/form-data body is malformed, cut short or could not be parsed', 'malformed_multipart');
  }
}

/**
 * Refuses an image whose header declares more than `maxPixels`. A header that
 * cannot be read is let through: the processor then fails the job as
 * image_undecodable, and its own pixel check stays as the second line.
 */
export function refuseBomb(image: Uint8Array, maxPixels: number, field = 'image'): void {
  const size = declaredOverPixelLimit(image, maxPixels);
  if (size) {
    throw new ValidationError(
      field,
      `its header declares ${size.width}x${size.height} (${size.width * size.height} pixels); at most ${maxPixels} pixels are accepted`,
      'image_too_large',
    );
  }
}
