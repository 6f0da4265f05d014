import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DependencyError } from '../shared/errors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../shared/formats.ts';
import { tempFileName } from './temp-files.ts';

/** The file name of a result: derived from the job id and the format's fixed extension, never from user input. */
export function imageFileName(id: string, format: OutputFormat = 'jpeg'): string {
  return `${id}.${OUTPUT_FORMATS[format].ext}`;
}

/**
 * Writes `bytes` to `dir/<id>.<ext>` durably and atomically: a temporary file is
 * written and fsynced, then renamed over the target, and the directory is
 * fsynced. A redelivery rewrites the same name with the same bytes, so it never
 * leaves a second file; the temporary file a killed writer leaves is removed
 * by `sweepAbandonedTempFiles` when a saver starts. File-system failures are
 * DependencyErrors: the disk, not the message, is at fault.
 */
export async function writeImageAtomically(dir: string, id: string, bytes: Uint8Array, format: OutputFormat = 'jpeg'): Promise<string> {
  const name = imageFileName(id, format);
  const tmp = join(dir, tempFileName(name));
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    return name;
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => {});
    const code = (cause as NodeJS.ErrnoException).code ?? 'EIO';
    throw new DependencyError(`cannot write image file in ${dir}: ${code}`, { code: 'storage_unavailable', cause });
  }
}
