import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors.ts';
import { sniffImageType } from '../../shared/image/sniff.ts';

/**
 * Reads the one image file in part `name`: present (`required` says how to
 * send it), a single file, non-empty, at most `maxBytes`, and an image by its
 * leading bytes. Returns the bytes and the type they tell.
 */
export async function readImagePart(
  form: FormData,
  name: string,
  maxBytes: number,
  required: string,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  const parts = form.getAll(name);
  if (parts.length === 0) throw new ValidationError(name, `is required: ${required}`, 'missing_field');
  if (parts.length > 1) throw new ValidationError(name, `send exactly one file, got ${parts.length}`, 'too_many_files');
  return checkImageFile(parts[0]!, name, maxBytes);
}

/**
 * Checks one form value as an image file: a file part, non-empty, at most
 * `maxBytes`, and an image by its leading bytes. `name` says where it came
 * from in errors (`image`, or `image[3]` in a batch).
 */
export async function checkImageFile(
  file: FormDataEntryValue,
  name: string,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  if (typeof file === 'string') throw new ValidationError(name, 'must be a file part, got a text field', 'not_a_file');
  if (file.size === 0) throw new ValidationError(name, 'the file is empty', 'empty_file');
  if (file.size > maxBytes) throw new PayloadTooLargeError(`${name}: the file is ${file.size} bytes; at most ${maxBytes} bytes are accepted`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const contentType = sniffImageType(bytes);
  if (!contentType) throw new UnsupportedMediaTypeError(`${name}: not a JPEG, PNG, WebP, GIF, TIFF or AVIF file (checked by its leading bytes)`);
  return { bytes, contentType };
}
