import { extname } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { ZipFile } from 'yazl';
import type { ObjectStore } from '../../shared/storage/store.ts';
import type { BatchJob } from '../../shared/batches/snapshot.ts';

export interface ArchiveFile {
  /** The name inside the archive. */
  name: string;
  /** Its key in the image store. */
  path: string;
}

/** Digits of the position prefix: at least 3, so names sort in upload order in any file manager. */
const width = (count: number) => Math.max(3, String(count).length);

/** The name of a batch's `index`-th image (from 0) in its archive: `001-<job id>.jpg`, upload order, 1-based. */
export function archiveName(index: number, count: number, jobId: string, storedPath: string): string {
  return `${String(index + 1).padStart(width(count), '0')}-${jobId}${extname(storedPath)}`;
}

/**
 * failed.txt: a header line, then one line per failed job, tab-separated:
 * position (as in the image names), job id, error code, reason. Line breaks
 * and tabs inside a reason become spaces, so each failure stays one line.
 * Undefined when nothing failed.
 */
export function failedText(jobs: BatchJob[], count: number): string | undefined {
  const failed = jobs.filter((j) => j.status === 'failed');
  if (failed.length === 0) return undefined;
  const lines = failed.map((j) => {
    const reason = (j.error?.message ?? 'unknown reason').replace(/[\t\r\n]+/g, ' ');
    return [String(j.index + 1).padStart(width(count), '0'), j.id, j.error?.code ?? 'unknown', reason].join('\t');
  });
  return ['# position\tjob id\tcode\treason', ...lines].join('\n') + '\n';
}

/**
 * The archive as a stream: yazl opens each object only when its turn comes
 * and reads it in chunks while the client downloads, so neither the archive
 * nor all its objects at once are ever held in memory or opened. The
 * images are stored uncompressed (they are JPEG, PNG, WebP or AVIF already;
 * deflating them would cost CPU for nothing). An object that is missing or
 * fails while streaming ends the stream with an error, which cuts the
 * download short rather than sending a broken archive as whole.
 *
 * `mtime` dates every entry (yazl's default is the moment of the call): with
 * the batch's completion, two builds of one batch give the same bytes, so
 * concurrent builds of a stored archive (stored-archive.ts) cannot differ.
 */
export function streamArchive(
  store: ObjectStore,
  files: ArchiveFile[],
  failed: string | undefined,
  mtime: Date = new Date(),
): ReadableStream<Uint8Array> {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  zip.on('error', (err: Error) => out.destroy(err));
  for (const f of files) {
    zip.addReadStreamLazy(f.name, { compress: false, mtime }, (done) => {
      store.get(f.path).then(
        (body) => {
          if (!body) return done(new Error(`the image ${f.path} is missing from storage`), undefined as never);
          done(null, Readable.fromWeb(body.stream as unknown as NodeWebStream<Uint8Array>));
        },
        (err: Error) => done(err, undefined as never),
      );
    });
  }
  if (failed !== undefined) zip.addBuffer(Buffer.from(failed, 'utf8'), 'failed.txt', { mtime });
  zip.end();
  // node:stream types its web streams apart from the DOM ones; in Bun they are the same class.
  return Readable.toWeb(out) as unknown as ReadableStream<Uint8Array>;
}
