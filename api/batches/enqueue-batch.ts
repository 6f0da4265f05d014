import type { Sql } from '../../shared/db.ts';
import { EnqueueOutcomeUnknownError } from '../../shared/errors.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { Command, StreamQueue } from '../../shared/queue/stream.ts';
import { calling, isUnavailable, neverSent, unavailableError } from '../../shared/unavailable.ts';
import type { RedisMemoryGauge } from '../../shared/redis-memory.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { commandsCost, deposit, referredKey, enqueueCommands, queueFullError, requireMemory, uploadBytes, type Accepted } from '../uploads/enqueue.ts';
import type { QueuedBytes } from '../uploads/queued-bytes.ts';
import type { Upload } from '../uploads/upload.ts';
import { deleteBatch, insertBatch } from './batches-table.ts';

export interface BatchQueueDeps {
  uploads: StreamQueue;
  jobs: JobStore;
  sql: Sql;
  /** Redis' memory against its maxmemory (REDIS_ADMIT_MEMORY_PERCENT). */
  memory?: RedisMemoryGauge;
  /** With the S3 store, large images go there before the MULTI (see enqueue.ts deposit). */
  claims?: ClaimCheck;
  /** The streams' bytes against REDIS_MAX_QUEUED_BYTES. */
  queued?: QueuedBytes;
}

/**
 * Queues a batch as one job per image, all or none. The queue must have
 * room for the whole batch (else 503 queue_full, nothing queued). The batch
 * and its job ids are recorded in PostgreSQL first, so no job can end before
 * its batch exists; then one MULTI queues every job as `POST /api/images`
 * queues one (status `queued`, stream 1 entry), with `extra` (the
 * Idempotency-Key's record). If that MULTI surely failed, the batch's rows
 * are removed again. Images the claim check refers are written to the store
 * after the rows and before the MULTI. Answers the job ids in upload order.
 */
export async function enqueueBatch(
  { uploads, jobs, sql, memory, claims, queued }: BatchQueueDeps,
  images: Upload[],
  maxLength: number,
  accepted: Accepted,
  extra: Command[] = [],
): Promise<string[]> {
  const waiting = await calling('redis', uploads.length());
  if (waiting + images.length > maxLength) throw queueFullError(maxLength);
  await requireMemory(memory, images.reduce((sum, image) => sum + uploadBytes(image), 0));
  const jobIds = images.map(() => Bun.randomUUIDv7());
  // The keys the claim check will refer are known before anything is written, and so is the batch's cost.
  const commands: Command[] = [];
  for (const [i, upload] of images.entries()) {
    const job = { id: jobIds[i]!, received_at: accepted.received_at };
    commands.push(...enqueueCommands(uploads, jobs, upload, job, accepted.id, referredKey(claims, job.id, upload)));
  }
  commands.push(...extra);
  const release = await queued?.admit(commandsCost(commands));
  try {
    await calling('postgres', insertBatch(sql, accepted.id, jobIds, accepted.received_at, images[0]?.callbackUrl));
    try {
      await Promise.all(images.map((upload, i) => deposit(claims, jobIds[i]!, upload)));
    } catch (err) {
      // Nothing is queued: the batch goes, and the objects written so far are the orphan sweep's.
      await deleteBatch(sql, accepted.id).catch(() => {});
      throw err;
    }
    const tx = uploads.redis.multi();
    for (const c of commands) tx.addCommand(c as never);
    if (queued) tx.addCommand(queued.readCommand() as never);
    try {
      const replies = (await tx.exec()) as unknown[];
      if (queued) queued.record(replies.at(-1));
    } catch (err) {
      if (isUnavailable('redis', err) && !neverSent(err)) throw new EnqueueOutcomeUnknownError(accepted.id, err, 'batch');
      await deleteBatch(sql, accepted.id).catch(() => {});
      throw isUnavailable('redis', err) ? unavailableError('redis', err) : err;
    }
  } finally {
    release?.();
  }
  return jobIds;
}
