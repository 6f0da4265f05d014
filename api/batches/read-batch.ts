import { PayloadTooLargeError, ValidationError } from '../../shared/errors.ts';
import { stepsJson, type Step } from '../../shared/operations/steps.ts';
import { readCallbackUrl } from '../uploads/callback-url.ts';
import { validateDescription } from '../uploads/description.ts';
import { checkImageFile } from '../uploads/file-part.ts';
import { isEmpty, MAX_STEP_FILE_BYTES, MAX_STEP_FILES, operationsText, parseOperations, readStepFiles } from '../uploads/operations-field.ts';
import { readSourceUrl } from '../uploads/source-url.ts';
import { MULTIPART_OVERHEAD, readForm, refuseBomb, type Upload, type UploadLimits } from '../uploads/upload.ts';
import { matchPerImage } from './parts.ts';

export interface BatchLimits extends UploadLimits {
  maxImages: number;
  maxBytes: number;
}

/**
 * Reads and checks a batch: many images, each an `image` file part or a
 * `url` field (its address, fetched by the processor), taken in the order
 * the parts appear in the body, so files and addresses can mix. Each file is checked as
 * `POST /api/images` checks its one (size, leading bytes, declared pixels),
 * and `description` and `operations` once for all or once per image (see
 * `matchPerImage`). Everything is checked before anything is queued, so a
 * bad part refuses the whole batch; errors name the part (`image[3]: ...`,
 * counting from 0, and `url[3]` when the batch's image 3 is an address). The
 * body is read with the byte-limited reader. A `callback_url` is the batch's:
 * every image carries it, for the batch's row.
 */
export async function readBatch(request: Request, limits: BatchLimits): Promise<Upload[]> {
  const form = await readForm(
    request,
    limits.maxBytes + MAX_STEP_FILES * MAX_STEP_FILE_BYTES + MULTIPART_OVERHEAD,
    `images of at most ${limits.maxBytes} bytes in all, up to ${MAX_STEP_FILES} watermark images of ${MAX_STEP_FILE_BYTES} and the form around them`,
  );
  // FormData keeps the body's order across names: image 2 is the third image or url part, whichever it is.
  // An empty `url` is not sent (Swagger UI sends untouched optional fields empty).
  const parts = [...form.entries()].filter(([name, value]) => name === 'image' || (name === 'url' && !(typeof value === 'string' && isEmpty(value))));
  if (parts.length === 0) {
    throw new ValidationError('image', 'is required: send each photo as a file part named "image", or its address as a field named "url"', 'missing_field');
  }
  if (parts.length > limits.maxImages) {
    throw new ValidationError('image', `a batch holds at most ${limits.maxImages} images, got ${parts.length}`, 'too_many_images');
  }
  const descriptions = matchPerImage(form.getAll('description'), parts.length, 'description');
  // Text fields or JSON file parts, read as text once each.
  const sent = form.getAll('operations');
  const texts = await Promise.all(sent.map((v, i) => operationsText(v, sent.length > 1 ? `operations[${i}]` : 'operations')));
  const operations = matchPerImage(texts, parts.length, 'operations');
  // One callback for the whole batch: it announces batch.complete, not each job.
  const callbackUrl = readCallbackUrl(form, limits.callbacks === true);
  const withCallback = (u: Upload): Upload => (callbackUrl ? { ...u, callbackUrl } : u);
  // One parse per distinct value: a shared pipeline is checked once, not once per image.
  const parsed = new Map<string, Step[]>();
  const uploads: Upload[] = [];
  for (const [i, [name, part]] of parts.entries()) {
    const picture = name === 'url' ? { source: readSourceUrl(part, `url[${i}]`) } : await checkedImage(part, `image[${i}]`, limits);
    const d = descriptions[i];
    const description = validateDescription(d?.value, limits.maxDescriptionLength, d?.field ?? 'description');
    const o = operations[i];
    // An empty value is no pipeline: that image gets the default caption.
    if (!o || isEmpty(o.value)) {
      uploads.push(withCallback({ ...picture, description }));
      continue;
    }
    const steps = parsed.get(o.value) ?? parseOperations(o.value, o.field);
    parsed.set(o.value, steps);
    uploads.push(withCallback({ ...picture, description, operations: stepsJson(steps), files: await readStepFiles(form, steps) }));
  }
  const total = uploads.reduce((n, u) => n + (u.image?.byteLength ?? 0), 0);
  if (total > limits.maxBytes) {
    throw new PayloadTooLargeError(`image: the images hold ${total} bytes in all; a batch holds at most ${limits.maxBytes}`);
  }
  return uploads;
}

async function checkedImage(part: FormDataEntryValue, field: string, limits: BatchLimits): Promise<Pick<Upload, 'image' | 'contentType'>> {
  const { bytes: image, contentType } = await checkImageFile(part, field, limits.maxUploadBytes);
  refuseBomb(image, limits.maxInputPixels, field);
  return { image, contentType };
}
