import type { Sql } from '../shared/db.ts';
import { completedAt, type BatchProgress } from '../shared/batches/progress.ts';

/**
 * Records in PostgreSQL that a batch has completed, once every job has ended
 * (done or failed): `completed_at` is the last job's end and `expires_at`
 * `ttlSeconds` after now on the database's clock. The end was stamped by
 * whichever worker finished the job, on its own clock: counting the TTL from
 * it would make a batch finished by a worker a day behind expire at once.
 * Idempotent and safe to race: only a batch still without `completed_at` is
 * updated, so concurrent callers write one value.
 * Answers whether this call completed it.
 */
export async function completeBatch(sql: Sql, progress: BatchProgress, batchId: string, ttlSeconds: number): Promise<boolean> {
  // Every save of a batch's job asks, and all but the last find jobs still
  // running: a plain read of the row and the count of ended jobs say so
  // without the row's lock or reading every job's record.
  const [open] = await sql<{ image_count: number }[]>`select image_count from batches where id = ${batchId} and completed_at is null`;
  if (!open || (await progress.count(batchId)) < open.image_count) return false;
  // The row is locked before the job records are read: a dead-letter retry
  // reopening the batch (api/batches/reopen-batch.ts) holds the same lock
  // while it strikes the job's record, so this never completes a batch from
  // records read before a retry made one of its jobs unfinished.
  return sql.begin(async (tx) => {
    const [row] = await tx<{ image_count: number }[]>`
      select image_count from batches where id = ${batchId} and completed_at is null for update`;
    if (!row) return false;
    const at = completedAt(await progress.finished(batchId), row.image_count);
    if (!at) return false;
    const done = await tx`
      update batches
         set completed_at = ${at}, expires_at = now() + make_interval(secs => ${ttlSeconds})
       where id = ${batchId} and completed_at is null`;
    return done.count === 1;
  }) as Promise<boolean>;
}

/**
 * Completes every running batch whose jobs have all ended. The saver
 * completes a batch itself when it saves the last job, but a batch whose last
 * job is dead-lettered (by a processor, which has no database) is completed
 * here, on the next sweep; its expiry counts from then.
 */
export async function completeFinishedBatches(sql: Sql, progress: BatchProgress, ttlSeconds: number, limit = 500): Promise<number> {
  // Newest first: a batch that can never complete (its queueing was in doubt
  // and did not happen) must not keep newer ones out of the page.
  const running = await sql<{ id: string }[]>`
    select id from batches where completed_at is null order by created_at desc limit ${limit}`;
  let completed = 0;
  for (const { id } of running) if (await completeBatch(sql, progress, id, ttlSeconds)) completed++;
  return completed;
}
