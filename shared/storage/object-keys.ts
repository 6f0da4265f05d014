import { OUTPUT_FORMATS, type OutputFormat } from '../formats.ts';
import { UUID_PATTERN } from '../ids.ts';

/**
 * Object keys, all derived from ids and never from user input, so writing
 * the same job's object again replaces it instead of adding a second one.
 */

/** A processed image: `<id>.<ext>`, the name its row records. */
export function resultKey(id: string, format: OutputFormat = 'jpeg'): string {
  return `${id}.${OUTPUT_FORMATS[format].ext}`;
}

/** The encodings a thumbnail has had: JPEG today, WebP from processors before 2026-12-01. */
export const THUMBNAIL_FORMATS = ['jpeg', 'webp'] as const;
export type ThumbnailFormat = (typeof THUMBNAIL_FORMATS)[number];

/** A message's `thumbnail_format` as sent; none, from a processor before 2026-12-01, means WebP. */
export function thumbnailFormatOf(named: string | undefined): ThumbnailFormat {
  return named === 'jpeg' ? 'jpeg' : 'webp';
}

/**
 * A processed image's thumbnail (at most 320 px on its longer side), beside
 * the image: `<id>.thumb.jpg` (or `.thumb.webp`, as older processors made
 * them), the name its row records.
 */
export function thumbnailKey(id: string, format: ThumbnailFormat = 'jpeg'): string {
  return `${id}.thumb.${OUTPUT_FORMATS[format].ext}`;
}

/** The encoding of a thumbnail by its key, as a row records it. */
export function thumbnailFormatOfKey(key: string): ThumbnailFormat {
  return key.endsWith(`.thumb.${OUTPUT_FORMATS.webp.ext}`) ? 'webp' : 'jpeg';
}

/** An upload held in the store instead of Redis until it is processed (the claim check). */
export function incomingKey(id: string): string {
  return `incoming/${id}`;
}

/** A batch's ZIP, when archives are served from the store (STORAGE_REDIRECT=presigned). */
export function archiveKey(batchId: string): string {
  return `archives/${batchId}.zip`;
}

const JOB_OBJECT = new RegExp(`^(?:incoming/)?(${UUID_PATTERN.slice(1, -1)})(?:\\.[a-z0-9]+)?$`);

/** The job an upload's or a result's key belongs to (`incoming/<id>`, `<id>.<ext>`); undefined for any other key. */
export function jobIdOfKey(key: string): string | undefined {
  return JOB_OBJECT.exec(key)?.[1];
}
