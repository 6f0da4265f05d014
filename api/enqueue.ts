import type { JobStore } from '../shared/jobs.ts';
import { EnqueueOutcomeUnknownError, ServiceUnavailableError } from '../shared/errors.ts';
import { toFields } from '../shared/messages.ts';
import type { Command, StreamQueue } from '../shared/queue/stream.ts';
import { calling, isUnavailable, neverSent, unavailableError } from '../shared/unavailable.ts';
import { QueueGauge } from './queue-gauge.ts';
import type { Upload } from './upload.ts';

export interface Accepted {
  id: string;
  received_at: string;
}

/** A fresh job id (UUIDv7, so ids sort by time) and the moment of receipt. */
export function newAcceptance(): Accepted {
  return { id: Bun.randomUUIDv7(), received_at: new Date().toISOString() };
}

/**
 * Puts an upload on stream 1 and records its `queued` status in one MULTI, so
 * an accepted id always has both; `extra` commands (the Idempotency-Key's
 * record) join the same MULTI. Refuses with 503 when the stream is already
 * longer than `maxLength`, rather than letting Redis fill up; `gauge` tells
 * that, usually without a round trip (by default it reads the length afresh).
 * When Redis goes away with the MULTI sent but unanswered, the 503 carries
 * the id, because the upload may be queued after all.
 */
export async function enqueueUpload(
  uploads: StreamQueue,
  jobs: JobStore,
  upload: Upload,
  maxLength: number,
  accepted: Accepted = newAcceptance(),
  extra: Command[] = [],
  gauge: QueueGauge = new QueueGauge(uploads, 0),
): Promise<Accepted> {
  if (!(await calling('redis', gauge.hasRoom(maxLength)))) throw queueFullError(maxLength);
  const { id } = accepted;
  const tx = uploads.redis.multi();
  for (const c of [...enqueueCommands(uploads, jobs, upload, accepted), ...extra]) tx.addCommand(c as never);
  // The queue's length after this append, for the next uploads' admission.
  tx.addCommand(['XLEN', uploads.key] as never);
  try {
    const replies = (await tx.exec()) as unknown[];
    gauge.record(Number(replies.at(-1)));
  } catch (err) {
    if (!isUnavailable('redis', err)) throw err;
    throw neverSent(err) ? unavailableError('redis', err) : new EnqueueOutcomeUnknownError(id, err);
  }
  return accepted;
}

/**
 * The commands that queue one upload: its `queued` status and its stream 1
 * entry, for the caller's MULTI. `batchId` makes it a job of that batch; a
 * batch's callback is the batch's (its row), so its jobs carry none.
 */
export function enqueueCommands(uploads: StreamQueue, jobs: JobStore, upload: Upload, accepted: Accepted, batchId?: string): Command[] {
  const { id, received_at } = accepted;
  const { description, image, operations, files } = upload;
  const callback_url = batchId ? undefined : upload.callbackUrl;
  return [
    ...jobs.commands(id, 'queued', { received_at }),
    ['XADD', uploads.key, '*', ...toFields({ id, description, received_at, image, operations, files, batch_id: batchId, callback_url })],
  ];
}

export function queueFullError(maxLength: number): ServiceUnavailableError {
  return new ServiceUnavailableError(`the processing queue is full (${maxLength} waiting); try again shortly`, {
    code: 'queue_full',
    retryAfterSeconds: 5,
  });
}
