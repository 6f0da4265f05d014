import type { Sql } from '../../shared/db.ts';
import { ConflictError } from '../../shared/errors.ts';

/**
 * Sets a batch back to running because one of its jobs is retried, and runs
 * `requeue` (the retry's Redis script) while the batch's row is locked; the
 * row change commits only if `requeue` succeeds. The lock orders the retry
 * with the two others that touch the row: the sweeper takes only rows it can
 * lock (SKIP LOCKED) and sees `expires_at` cleared afterwards, and
 * completeBatch locks the row before it reads the job records, so it reads
 * them after the retry has made the job unfinished. Completion and expiry are
 * computed again when the job ends again.
 *
 * A batch that has expired, is being swept (its lock is waited for and its
 * tombstone seen), or is past its expiry (by the database's clock) is
 * refused with 409 `batch_expired`: its images are gone or going, and a
 * retried job's file and row would outlive it.
 */
export async function reopenBatchFor<T>(sql: Sql, batchId: string, requeue: () => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ expired: boolean }[]>`
      select (expired_at is not null or coalesce(expires_at <= now(), false)) as expired
        from batches where id = ${batchId} for update`;
    if (!row || row.expired) {
      throw new ConflictError(
        `the dead letter's batch "${batchId}" has expired and its images are deleted, so the job cannot be retried; discard it`,
        'batch_expired',
      );
    }
    // Its next completion owes a webhook of its own.
    await tx`update batches set completed_at = null, expires_at = null, webhook_queued_at = null where id = ${batchId}`;
    return requeue();
  }) as Promise<T>;
}
