import type { Sql } from '../shared/db.ts';
import type { BatchProgress } from '../shared/batches/progress.ts';
import { batchSnapshot, snapshotBody } from '../shared/batches/snapshot.ts';
import { GoneError, NotFoundError } from '../shared/errors.ts';
import type { JobStore } from '../shared/jobs.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import type { WebhookEvents } from '../shared/webhooks/events.ts';

export interface BatchWebhookDeps {
  sql: Sql;
  redis: Redis;
  jobs: JobStore;
  progress: BatchProgress;
  events: WebhookEvents;
  /** What goes before /api/… in the snapshot's archive_url (publicBaseUrl). */
  baseUrl: string;
  batchTtlSeconds: number;
  log: Logger;
}

/**
 * Queues the `batch.complete` webhook of completed batches that still owe
 * one (a callback, no `webhook_queued_at`): the completion is written in
 * PostgreSQL and the event goes to Redis, which share no transaction, so the
 * row is the outbox. The event is queued first and marked after, so a saver
 * dying in between queues it again on the next round, with the same
 * webhook-id (derived from the batch and its completion instant); receivers
 * drop the duplicate. The payload is GET /api/batches/{id}'s answer at
 * completion. `batchId` limits the round to that batch (the saver that just
 * completed it). Answers how many events it queued.
 */
export async function queueOwedBatchWebhooks(deps: BatchWebhookDeps, batchId?: string, limit = 100): Promise<number> {
  const { sql } = deps;
  const owed = await sql<{ id: string; callback_url: string; completed_at: Date }[]>`
    select id, callback_url, completed_at from batches
     where callback_url is not null and webhook_queued_at is null and completed_at is not null and expired_at is null
       ${batchId ? sql`and id = ${batchId}` : sql``}
     order by completed_at limit ${limit}`;
  let queued = 0;
  for (const row of owed) {
    const completedAt = row.completed_at.toISOString();
    try {
      const snapshot = await batchSnapshot(
        { sql, jobs: deps.jobs, progress: deps.progress, ttlSeconds: deps.batchTtlSeconds },
        row.id,
      );
      if (snapshot.status !== 'complete') continue;
      const tx = deps.redis.multi();
      for (const c of deps.events.batchComplete(row.callback_url, row.id, completedAt, snapshotBody(snapshot, deps.baseUrl))) {
        tx.addCommand(c as never);
      }
      await tx.exec();
      queued++;
    } catch (err) {
      // Expired (or swept) before its event could be queued: there is nothing left to announce.
      if (!(err instanceof GoneError || err instanceof NotFoundError)) throw err;
      deps.log.warn({ batchId: row.id }, 'batch expired before its batch.complete webhook was queued; none is sent');
    }
    // Only this completion: a retry that reopened the batch meanwhile owes its own.
    await sql`update batches set webhook_queued_at = now() where id = ${row.id} and completed_at = ${row.completed_at}`;
  }
  return queued;
}
