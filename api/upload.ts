import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../shared/errors.ts';
import { validateDescription } from './description.ts';
import { readImageSize } from './image-size.ts';
import { readBodyLimited } from './read-body.ts';
import { sniffImageType } from './sniff.ts';

export interface UploadLimits {
  maxUploadBytes: number;
  maxDescriptionLength: number;
  maxInputPixels: number;
}

export interface Upload {
  image: Uint8Array;
  description: string;
  contentType: string;
}

// Room for the multipart framing and the description around the file itself.
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * Reads and checks a `POST /api/images` body. The image is not decoded here
 * (the processor does that); only its presence, size, leading magic bytes and
 * the pixel count its header declares are checked, so an upload costs no image
 * work in the API and a decompression bomb never reaches the queue.
 */
export async function readUpload(request: Request, limits: UploadLimits): Promise<Upload> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new UnsupportedMediaTypeError(
      `expected a multipart/form-data body with fields "image" and "description", got Content-Type "${type || 'none'}"`,
      'unsupported_content_type',
    );
  }
  const body = await readBodyLimited(
    request,
    limits.maxUploadBytes + MULTIPART_OVERHEAD,
    `an image of at most ${limits.maxUploadBytes} bytes and the form around it`,
  );
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new BadRequestError('the multipart/form-data body is malformed and could not be parsed', 'malformed_multipart');
  }
  const images = form.getAll('image');
  if (images.length === 0) throw new ValidationError('image', 'is required: send the photo as a file part named "image"', 'missing_field');
  if (images.length > 1) throw new ValidationError('image', `send exactly one file, got ${images.length}`, 'too_many_files');
  const file = images[0]!;
  if (typeof file === 'string') throw new ValidationError('image', 'must be a file part, got a text field', 'not_a_file');
  if (file.size === 0) throw new ValidationError('image', 'the file is empty', 'empty_file');
  if (file.size > limits.maxUploadBytes) {
    throw new PayloadTooLargeError(`image: the file is ${file.size} bytes; at most ${limits.maxUploadBytes} bytes are accepted`);
  }
  const image = new Uint8Array(await file.arrayBuffer());
  const contentType = sniffImageType(image);
  if (!contentType) {
    throw new UnsupportedMediaTypeError('image: not a JPEG, PNG, WebP, GIF, TIFF or AVIF file (checked by its leading bytes)');
  }
  refuseBomb(image, limits.maxInputPixels);
  const descriptions = form.getAll('description');
  if (descriptions.length > 1) throw new ValidationError('description', `send it once, got ${descriptions.length}`, 'too_many_values');
  const description = validateDescription(descriptions[0], limits.maxDescriptionLength);
  return { image, description, contentType };
}

/**
 * Refuses an image whose header declares more than `maxPixels`. A header that
 * cannot be read is let through: the processor then fails the job as
 * image_undecodable, and its own pixel check stays as the second line.
 */
function refuseBomb(image: Uint8Array, maxPixels: number): void {
  const size = readImageSize(image);
  if (size && size.width * size.height > maxPixels) {
    throw new ValidationError(
      'image',
      `its header declares ${size.width}x${size.height} (${size.width * size.height} pixels); at most ${maxPixels} pixels are accepted`,
      'image_too_large',
    );
  }
}
