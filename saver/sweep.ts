import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Sql } from '../shared/db.ts';

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
  /** Files this call unlinked (a file already gone is not counted). */
  files: string[];
}

/**
 * Deletes what has expired by the database's `now()`: every batch whose `expires_at` has
 * passed loses its images (rows and files) and job list, and keeps its row as
 * a tombstone (`expired_at` set) so its id answers 410 Gone; with
 * `imageTtlSeconds`, single uploads older than that go as well.
 *
 * Safe to run on any number of instances at once: rows are taken with
 * `FOR UPDATE SKIP LOCKED`, so each is handled by exactly one sweeper, and
 * its files are unlinked inside that sweeper's transaction. A failure
 * before the commit leaves the rows for the next sweep, which finds the
 * files already gone (ENOENT is ignored), so no file is ever left behind
 * by a row that was deleted.
 *
 * Expiry is decided on the database's clock alone, the one that wrote
 * `saved_at` and `expires_at`: a saver whose own clock is a day ahead must
 * not see a fresh image as a day old.
 */
export async function sweepExpired(sql: Sql, imagesDir: string, opts: SweepOptions = {}): Promise<Swept> {
  const limit = opts.limit ?? 100;
  const swept: Swept = { batches: [], jobs: [], rows: 0, files: [] };
  for (;;) {
    const taken = await sweepBatches(sql, imagesDir, limit, swept);
    if (taken < limit) break;
  }
  if (opts.imageTtlSeconds !== undefined) {
    for (;;) {
      const taken = await sweepSingleImages(sql, imagesDir, opts.imageTtlSeconds, limit, swept);
      if (taken < limit) break;
    }
  }
  return swept;
}

async function sweepBatches(sql: Sql, imagesDir: string, limit: number, swept: Swept): Promise<number> {
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
    const images = await tx<{ path: string }[]>`delete from images where batch_id in ${tx(ids)} returning path`;
    const jobs = await tx<{ job_id: string }[]>`delete from batch_jobs where batch_id in ${tx(ids)} returning job_id`;
    const files = await unlinkAll(imagesDir, images.map((i) => i.path));
    swept.batches.push(...ids);
    swept.jobs.push(...jobs.map((j) => j.job_id));
    swept.rows += images.length;
    swept.files.push(...files);
    return batches.length;
  });
}

async function sweepSingleImages(sql: Sql, imagesDir: string, ttlSeconds: number, limit: number, swept: Swept): Promise<number> {
  return sql.begin(async (tx) => {
    const images = await tx<{ path: string }[]>`
      delete from images
       where id in (select id from images
                     where batch_id is null and saved_at <= now() - make_interval(secs => ${ttlSeconds})
                     order by saved_at limit ${limit}
                     for update skip locked)
      returning path`;
    swept.rows += images.length;
    swept.files.push(...(await unlinkAll(imagesDir, images.map((i) => i.path))));
    return images.length;
  });
}

/** Unlinks the stored files, answering those that existed; the stored path is a bare file name, kept inside `dir`. */
async function unlinkAll(dir: string, paths: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const path of paths) {
    try {
      await rm(join(dir, basename(path)));
      removed.push(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}
