import { GoneError } from '../../shared/errors.ts';
import { archiveKey } from '../../shared/storage/object-keys.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';

/**
 * With STORAGE_REDIRECT=presigned the archive is served from the store, so
 * it must exist there as an object: the first request builds it by
 * streaming `build()` (streamArchive) into the store, never holding it
 * whole. Concurrent first requests may each build it: they write the same
 * key with the same bytes (streamArchive is dated by the batch's completion),
 * and a PUT is atomic, so a reader sees one whole archive either way. A lock
 * would only save the second build's work, at the price of waiting on it.
 *
 * `linkSeconds` then says how long its link may live (a GoneError when the
 * batch expired meanwhile); the archive of a batch that expired while it was
 * being built is deleted again, as the sweeper, which deletes archives when
 * it expires a batch, may have come and gone before it was written.
 * Answers the store key and how long its link may live.
 */
export async function storedArchive(
  store: ObjectStore,
  batchId: string,
  build: () => ReadableStream<Uint8Array>,
  contentDisposition: string,
  linkSeconds: () => Promise<number>,
): Promise<{ key: string; seconds: number }> {
  const key = archiveKey(batchId);
  if (!(await store.head(key))) await store.putStream(key, build(), 'application/zip', contentDisposition);
  try {
    return { key, seconds: await linkSeconds() };
  } catch (err) {
    if (err instanceof GoneError) await store.delete(key);
    throw err;
  }
}
