import type { Sql } from '../../shared/db.ts';
import { EnqueueOutcomeUnknownError } from '../../shared/errors.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { Command, StreamQueue } from '../../shared/queue/stream.ts';
import { calling, isUnavailable, neverSent, unavailableError } from '../../shared/unavailable.ts';
import { enqueueCommands, queueFullError, type Accepted } from '../enqueue.ts';
import type { Upload } from '../upload.ts';
import { deleteBatch, insertBatch } from './batches-table.ts';

export interface BatchQueueDeps {
  uploads: StreamQueue;
  jobs: JobStore;
  sql: Sql;
}

/**
 * Queues a batch as one job per image, all or none. The queue must have
 * room for the whole batch (else 503 queue_full, nothing queued). The batch
 * and its job ids are recorded in PostgreSQL first, so no job can end before
 * its batch exists; then one MULTI queues every job as `POST /api/images`
 * queues one (status `queued`, stream 1 entry), with `extra` (the
 * Idempotency-Key's record). If that MULTI surely failed, the batch's rows
 * are removed again. Answers the job ids in upload order.
 */
export async function enqueueBatch(
  { uploads, jobs, sql }: BatchQueueDeps,
  images: Upload[],
  maxLength: number,
  accepted: Accepted,
  extra: Command[] = [],
): Promise<string[]> {
  const waiting = await calling('redis', uploads.length());
  if (waiting + images.length > maxLength) throw queueFullError(maxLength);
  const jobIds = images.map(() => Bun.randomUUIDv7());
  await calling('postgres', insertBatch(sql, accepted.id, jobIds, accepted.received_at, images[0]?.callbackUrl));
  const tx = uploads.redis.multi();
  for (const [i, upload] of images.entries()) {
    const job = { id: jobIds[i]!, received_at: accepted.received_at };
    for (const c of enqueueCommands(uploads, jobs, upload, job, accepted.id)) tx.addCommand(c as never);
  }
  for (const c of extra) tx.addCommand(c as never);
  try {
    await tx.exec();
  } catch (err) {
    if (isUnavailable('redis', err) && !neverSent(err)) throw new EnqueueOutcomeUnknownError(accepted.id, err, 'batch');
    await deleteBatch(sql, accepted.id).catch(() => {});
    throw isUnavailable('redis', err) ? unavailableError('redis', err) : err;
  }
  return jobIds;
}
