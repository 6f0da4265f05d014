import { ValidationError } from '../../shared/errors.ts';

/** Which value of a per-batch field an image takes, and the field's name for errors about it. */
export interface PerImage<T> {
  value: T;
  /** `description` when one value serves every image, `description[3]` when each image has its own. */
  field: string;
}

/**
 * Matches a batch field's values to its images: none (every image gets
 * undefined), one for every image, or exactly one per image in the order
 * the images were sent. Any other count is 422 `count_mismatch`, since
 * guessing which image a value was meant for would process the wrong one.
 */
export function matchPerImage<T>(values: T[], imageCount: number, field: string): Array<PerImage<T> | undefined> {
  if (values.length === 0) return Array.from({ length: imageCount }, () => undefined);
  if (values.length === 1) return Array.from({ length: imageCount }, () => ({ value: values[0]!, field }));
  if (values.length === imageCount) return values.map((value, i) => ({ value, field: `${field}[${i}]` }));
  throw new ValidationError(
    field,
    `send one for all ${imageCount} images or one per image in the order of the images, got ${values.length}`,
    'count_mismatch',
  );
}
