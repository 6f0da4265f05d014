import type { JobStore } from '../shared/jobs.ts';
import { ServiceUnavailableError } from '../shared/errors.ts';
import { toFields } from '../shared/messages.ts';
import type { Command, StreamQueue } from '../shared/queue/stream.ts';
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
 * longer than `maxLength`, rather than letting Redis fill up.
 */
export async function enqueueUpload(
  uploads: StreamQueue,
  jobs: JobStore,
  upload: Upload,
  maxLength: number,
  accepted: Accepted = newAcceptance(),
  extra: Command[] = [],
): Promise<Accepted> {
  if ((await uploads.length()) >= maxLength) {
    throw new ServiceUnavailableError(`the processing queue is full (${maxLength} waiting); try again shortly`, {
      code: 'queue_full',
      retryAfterSeconds: 5,
    });
  }
  const { id, received_at } = accepted;
  const tx = uploads.redis.multi();
  for (const c of jobs.commands(id, 'queued', { received_at })) tx.addCommand(c as never);
  const { description, image, operations, files } = upload;
  tx.addCommand(['XADD', uploads.key, '*', ...toFields({ id, description, received_at, image, operations, files })] as never);
  for (const c of extra) tx.addCommand(c as never);
  await tx.exec();
  return accepted;
}
