import type { Logger } from '../shared/logger.ts';
import type { Sql } from '../shared/db.ts';
import { DependencyError, InvalidMessageError, SourceMissingError } from '../shared/errors.ts';
import { OUTPUT_FORMATS } from '../shared/formats.ts';
import type { BatchProgress } from '../shared/batches/progress.ts';
import type { JobStore } from '../shared/jobs.ts';
import type { CaptionedMessage } from '../shared/messages.ts';
import type { Claim } from '../shared/queue/claim.ts';
import { handOver } from '../shared/queue/hand-over.ts';
import type { Entry } from '../shared/queue/reply.ts';
import type { WorkerStats } from '../shared/stats/worker-stats.ts';
import { sqlFault, sqlStateOf } from '../shared/sqlstate.ts';
import { isUnavailable } from '../shared/unavailable.ts';
import { completeBatch } from './batch-completion.ts';
import { queueOwedBatchWebhooks, type BatchWebhookDeps } from './batch-webhooks.ts';
import { insertImage } from './images-table.ts';
import { resultKey, thumbnailFormatOf, thumbnailKey } from '../shared/storage/object-keys.ts';
import type { ObjectToPut } from '../shared/storage/store.ts';
import type { ObjectStore } from '../shared/storage/store.ts';
import type { WebhookEvents } from '../shared/webhooks/events.ts';
import type { ClaimCheck } from '../shared/storage/claim-check.ts';

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
  /** Forgets a result held by reference once its row owns it (the claim check). */
  claims?: ClaimCheck;
}

/**
 * Stores one result: the object (and its thumbnail) first, then the row, and only then the ack
 * and the `done` status. Both writes are idempotent by id (the key derives
 * from it), so a redelivery after a crash anywhere in between ends in the
 * same single object and row. The ack, `done`, its count and the batch's
 * record happen at once and only while this saver still owns the entry
 * (hand-over.ts): a saver stopped past the reclaim time, whose entry another
 * saver finished meanwhile, counts nothing twice. A job of a batch is marked
 * complete in PostgreSQL when it was the last. A job sent with a callback
 * has its `image.done` webhook queued in that same hand-over.
 *
 * A result held by reference (`image_key`) is already at its final key: the
 * saver only checks it is there (its size is the row's `bytes`) and records
 * it, and the `done` MULTI takes the key out of the orphan registry.
 */
export function createSaveHandler(deps: SaveDeps) {
  return async (msg: CaptionedMessage, entry: Entry, claim: Claim): Promise<void> => {
    const t0 = performance.now();
    // Messages from before formats existed carry none: they are JPEG.
    const format = msg.format ?? 'jpeg';
    const path = resultKey(msg.id, format);
    // Beside the image, before the row that records it; rewriting it on a redelivery writes the same key again.
    const thumbnailFormat = thumbnailFormatOf(msg.thumbnail_format);
    const thumbnail = msg.thumbnail
      ? { key: thumbnailKey(msg.id, thumbnailFormat), bytes: msg.thumbnail, contentType: OUTPUT_FORMATS[thumbnailFormat].contentType }
      : undefined;
    const contentType = OUTPUT_FORMATS[format].contentType;
    const bytes = await storeResult(deps, msg, { key: path, contentType }, thumbnail);
    const thumbnailPath = thumbnail?.key ?? null;
    const t1 = performance.now();
    try {
      await insertImage(deps.sql, {
        id: msg.id,
        received_at: msg.received_at,
        description: msg.description,
        path,
        width: msg.width,
        height: msg.height,
        bytes,
        format,
        content_type: contentType,
        batch_id: msg.batch_id ?? null,
        thumbnail_path: thumbnailPath,
      });
    } catch (err) {
      // The database's own state or configuration (down, read-only, no
      // privilege, disk full...): waited out in place, never the job's fault.
      if (isUnavailable('postgres', err)) {
        const state = sqlStateOf(err);
        throw new DependencyError(`PostgreSQL cannot store the row now${state ? ` (SQLSTATE ${state})` : ''}: ${(err as Error).message}`, {
          code: 'database_unavailable',
          cause: err,
        });
      }
      // This row can never be stored, retrying won't help; the file goes with
      // the dead letter (see discard.ts).
      if (sqlFault(err) === 'message') {
        throw new InvalidMessageError(`the database refused the data (SQLSTATE ${sqlStateOf(err)}): ${(err as Error).message}`);
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
        ...(msg.image_key && deps.claims ? deps.claims.ownedCommands(path) : []),
      ],
      deps.log.child({ jobId: msg.id }),
    );
    if (!handedOver) return;
    if (msg.batch_id) await completeQuietly(deps, msg.batch_id, msg.id);
    const t3 = performance.now();
    const timings: SaveTimings = { file: t1 - t0, row: t2 - t1, ack: t3 - t2, total: t3 - t0 };
    deps.log.info({ jobId: msg.id, bytes, byReference: msg.image_key !== undefined, timings }, 'saved');
  };
}

/**
 * Puts an inline result at its key beside its thumbnail; a result held by
 * reference must already be there (a HEAD, for its size), and only the
 * thumbnail is written. Answers the result's size.
 */
async function storeResult(
  deps: SaveDeps,
  msg: CaptionedMessage,
  result: { key: string; contentType: string },
  thumbnail: ObjectToPut | undefined,
): Promise<number> {
  const path = result.key;
  const thumbnails = thumbnail ? [thumbnail] : [];
  if (msg.image) {
    await deps.store.putAll([{ ...result, bytes: msg.image }, ...thumbnails]);
    return msg.image.byteLength;
  }
  // The row records the result's own key; a reference to anything else is not a result of this job.
  if (msg.image_key !== path) throw new InvalidMessageError(`invalid captioned message: image_key ${msg.image_key} is not this job's result key ${path}`);
  const info = await deps.store.head(path);
  if (!info) throw new SourceMissingError(`the result ${path} that job ${msg.id} refers to is not in the store`);
  await deps.store.putAll(thumbnails);
  return info.size;
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
