import type { Logger } from '../shared/logger.ts';
import type { Sql } from '../shared/db.ts';
import { DependencyError, InvalidMessageError } from '../shared/errors.ts';
import { OUTPUT_FORMATS } from '../shared/formats.ts';
import type { BatchProgress } from '../shared/batches/progress.ts';
import type { JobStore } from '../shared/jobs.ts';
import type { CaptionedMessage } from '../shared/messages.ts';
import type { Claim } from '../shared/queue/claim.ts';
import { handOver } from '../shared/queue/hand-over.ts';
import type { Entry } from '../shared/queue/reply.ts';
import type { StreamQueue } from '../shared/queue/stream.ts';
import type { WorkerStats } from '../shared/stats/worker-stats.ts';
import { isUnavailable } from '../shared/unavailable.ts';
import { completeBatch } from './batch-completion.ts';
import { queueOwedBatchWebhooks, type BatchWebhookDeps } from './batch-webhooks.ts';
import { insertImage } from './images-table.ts';
import { resultKey } from '../shared/storage/object-keys.ts';
import type { ObjectStore } from '../shared/storage/store.ts';
import type { WebhookEvents } from '../shared/webhooks/events.ts';

/**
 * Where one save's time went, in ms, for the logs and the benchmark: the
 * object (for the file store: write, fsync, rename, directory fsync), the row insert, and the MULTI that
 * acks and marks the job done.
 */
export interface SaveTimings {
  file: number;
  row: number;
  ack: number;
  total: number;
}

export interface SaveDeps {
  captioned: StreamQueue;
  jobs: JobStore;
  sql: Sql;
  store: ObjectStore;
  stats: WorkerStats;
  log: Logger;
  progress: BatchProgress;
  /** Queues the `image.done` webhook of a job sent with a callback. */
  events: WebhookEvents;
  /** Queues a batch's `batch.complete` webhook once this saver completes it. */
  batchWebhooks: BatchWebhookDeps;
  /** How long a completed batch is kept (BATCH_TTL_SECONDS). */
  batchTtlSeconds: number;
}

/**
 * Stores one result: the object first, then the row, and only then the ack
 * and the `done` status. Both writes are idempotent by id (the key derives
 * from it), so a redelivery after a crash anywhere in between ends in the
 * same single object and row. The ack, `done`, its count and the batch's
 * record happen at once and only while this saver still owns the entry
 * (hand-over.ts): a saver stopped past the reclaim time, whose entry another
 * saver finished meanwhile, counts nothing twice. A job of a batch is marked
 * complete in PostgreSQL when it was the last. A job sent with a callback
 * has its `image.done` webhook queued in that same hand-over.
 */
export function createSaveHandler(deps: SaveDeps) {
  return async (msg: CaptionedMessage, entry: Entry, claim: Claim): Promise<void> => {
    const t0 = performance.now();
    // Messages from before formats existed carry none: they are JPEG.
    const format = msg.format ?? 'jpeg';
    const path = resultKey(msg.id, format);
    await deps.store.put(path, msg.image, OUTPUT_FORMATS[format].contentType);
    const t1 = performance.now();
    try {
      await insertImage(deps.sql, {
        id: msg.id,
        received_at: msg.received_at,
        description: msg.description,
        path,
        width: msg.width,
        height: msg.height,
        bytes: msg.image.byteLength,
        format,
        content_type: OUTPUT_FORMATS[format].contentType,
        batch_id: msg.batch_id ?? null,
      });
    } catch (err) {
      if (isUnavailable('postgres', err)) throw new DependencyError('PostgreSQL is unavailable', { code: 'database_unavailable', cause: err });
      // SQLSTATE class 22 (data exception): this row can never be stored, retrying won't help.
      if (String((err as { code?: string }).code).startsWith('22')) {
        throw new InvalidMessageError(`the database refused the data: ${(err as Error).message}`);
      }
      throw err;
    }
    const t2 = performance.now();
    const doneAt = new Date().toISOString();
    const handedOver = await handOver(
      claim,
      [
        ...deps.jobs.commands(msg.id, 'done', {}, undefined, doneAt),
        // The webhook is queued with the `done` it announces, and only then.
        ...deps.events.imageDone(msg.callback_url, msg, doneAt, entry.id),
        // The save's own time is known before the hand-over; the ack itself is not counted.
        ...deps.stats.handled('save', performance.now() - t0),
        ...deps.stats.done(msg.received_at),
        ...deps.progress.finishCommands(msg.batch_id, msg.id, 'done'),
      ],
      deps.log.child({ jobId: msg.id }),
    );
    if (!handedOver) return;
    if (msg.batch_id) await completeQuietly(deps, msg.batch_id, msg.id);
    const t3 = performance.now();
    const timings: SaveTimings = { file: t1 - t0, row: t2 - t1, ack: t3 - t2, total: t3 - t0 };
    deps.log.info({ jobId: msg.id, bytes: msg.image.byteLength, timings }, 'saved');
  };
}

/**
 * The entry is already finished, so a failure here must not fail it: the
 * saver's periodic check completes the batch, and queues its webhook,
 * instead (see maintenance.ts).
 */
async function completeQuietly(deps: SaveDeps, batchId: string, jobId: string): Promise<void> {
  try {
    if (await completeBatch(deps.sql, deps.progress, batchId, deps.batchTtlSeconds)) {
      deps.log.info({ batchId, jobId }, 'batch complete');
      await queueOwedBatchWebhooks(deps.batchWebhooks, batchId);
    }
  } catch (err) {
    deps.log.warn({ err, batchId, jobId }, 'could not mark the batch complete now; the next sweep will');
  }
}
