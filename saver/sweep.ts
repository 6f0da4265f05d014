import type { Sql } from '../shared/db.ts';
import { archiveKey } from '../shared/storage/object-keys.ts';
import type { ObjectStore } from '../shared/storage/store.ts';

export interface SweepOptions {
  /** Single uploads (no batch) saved longer ago than this are deleted too; undefined keeps them. */
  imageTtlSeconds?: number;
  /** Rows taken per statement; the sweep repeats until a statement finds fewer. */
  limit?: number;
}

export interface Swept {
  /** Batches turned into tombstones by this call. */
  batches: string[];
  /** The job ids those batches held (their Redis statuses can go too). */
  jobs: string[];
  /** Image rows deleted by this call, batch and single. */
  rows: number;
  /** Image objects this call deleted (their thumbnails and stored archives go too, uncounted). */
  files: string[];
}

/**
 * Deletes what has expired by the database's `now()`: every batch whose `expires_at` has
 * passed loses its images (rows, objects and thumbnails) and job list, and keeps its row as
 * a tombstone (`expired_at` set) so its id answers 410 Gone; with
 * `imageTtlSeconds`, single uploads older than that go as well.
 *
 * Safe to run on any number of instances at once: rows are taken with
 * `FOR UPDATE SKIP LOCKED`, so each is handled by exactly one sweeper, and
 * its objects are deleted inside that sweeper's transaction. A failure
 * before the commit leaves the rows for the next sweep, which finds the
 * objects already gone (deleting one is idempotent), so no object is ever left behind
 * by a row that was deleted.
 *
 * Expiry is decided on the database's clock alone, the one that wrote
 * `saved_at` and `expires_at`: a saver whose own clock is a day ahead must
 * not see a fresh image as a day old.
 */
export async function sweepExpired(sql: Sql, store: ObjectStore, opts: SweepOptions = {}): Promise<Swept> {
  const limit = opts.limit ?? 100;
  const swept: Swept = { batches: [], jobs: [], rows: 0, files: [] };
  for (;;) {
    const taken = await sweepBatches(sql, store, limit, swept);
    if (taken < limit) break;
  }
  if (opts.imageTtlSeconds !== undefined) {
    for (;;) {
      const taken = await sweepSingleImages(sql, store, opts.imageTtlSeconds, limit, swept);
      if (taken < limit) break;
    }
  }
  return swept;
}

async function sweepBatches(sql: Sql, store: ObjectStore, limit: number, swept: Swept): Promise<number> {
  return sql.begin(async (tx) => {
    const batches = await tx<{ id: string }[]>`
      update batches set expired_at = now()
       where id in (select id from batches
                     where expired_at is null and expires_at <= now()
                     order by expires_at limit ${limit}
                     for update skip locked)
      returning id`;
    if (batches.length === 0) return 0;
    const ids = batches.map((b) => b.id);
    const images = await tx<{ path: string; thumbnail_path: string | null }[]>`
      delete from images where batch_id in ${tx(ids)} returning path, thumbnail_path`;
    const jobs = await tx<{ job_id: string }[]>`delete from batch_jobs where batch_id in ${tx(ids)} returning job_id`;
    const files = await deleteAll(store, images.map((i) => i.path));
    await deleteAll(store, thumbnailsOf(images));
    await deleteAll(store, ids.map(archiveKey));
    swept.batches.push(...ids);
    swept.jobs.push(...jobs.map((j) => j.job_id));
    swept.rows += images.length;
    swept.files.push(...files);
    return batches.length;
  });
}

async function sweepSingleImages(sql: Sql, store: ObjectStore, ttlSeconds: number, limit: number, swept: Swept): Promise<number> {
  return sql.begin(async (tx) => {
    const images = await tx<{ path: string; thumbnail_path: string | null }[]>`
      delete from images
       where id in (select id from images
                     where batch_id is null and saved_at <= now() - make_interval(secs => ${ttlSeconds})
                     order by saved_at limit ${limit}
                     for update skip locked)
      returning path, thumbnail_path`;
    swept.rows += images.length;
    swept.files.push(...(await deleteAll(store, images.map((i) => i.path))));
    await deleteAll(store, thumbnailsOf(images));
    return images.length;
  });
}

/** The thumbnails' keys of deleted rows (rows saved before thumbnails existed have none). */
function thumbnailsOf(images: Array<{ thumbnail_path: string | null }>): string[] {
  return images.flatMap((i) => (i.thumbnail_path ? [i.thumbnail_path] : []));
}

/** Deletes the objects, answering their keys; one already gone is no error, so a repeated sweep is harmless. */
async function deleteAll(store: ObjectStore, keys: string[]): Promise<string[]> {
  for (const key of keys) await store.delete(key);
  return keys;
}
