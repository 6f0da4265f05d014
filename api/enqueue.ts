import type { JobStore } from '../shared/jobs.ts';
import { EnqueueOutcomeUnknownError, ServiceUnavailableError } from '../shared/errors.ts';
import { toFields } from '../shared/messages.ts';
import type { Command, StreamQueue } from '../shared/queue/stream.ts';
import { isUnavailable, neverSent, unavailableError } from '../shared/unavailable.ts';
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
 * Puts an upload on stream 1 and records its `queued` status atomically, so
 * an accepted id always has both; `extra` commands (the Idempotency-Key's
 * record) run with them. Refuses with 503 when the stream already holds
 * `maxLength` entries, rather than letting Redis fill up. The length check
 * and the writes are one Lua script: one round trip per upload, and no
 * upload slips in between the check and the append. When Redis goes away
 * with the script sent but unanswered, the 503 carries the id, because the
 * upload may be queued after all.
 */
export async function enqueueUpload(
  uploads: StreamQueue,
  jobs: JobStore,
  upload: Upload,
  maxLength: number,
  accepted: Accepted = newAcceptance(),
  extra: Command[] = [],
): Promise<Accepted> {
  const { id, received_at } = accepted;
  const { description, image, operations, files } = upload;
  const commands: Command[] = [
    ...jobs.commands(id, 'queued', { received_at }),
    ['XADD', uploads.key, '*', ...toFields({ id, description, received_at, image, operations, files })],
    ...extra,
  ];
  let ran: boolean;
  try {
    ran = await uploads.runIfRoom(maxLength, commands);
  } catch (err) {
    if (!isUnavailable('redis', err)) throw err;
    throw neverSent(err) ? unavailableError('redis', err) : new EnqueueOutcomeUnknownError(id, err);
  }
  if (!ran) {
    throw new ServiceUnavailableError(`the processing queue is full (${maxLength} waiting); try again shortly`, {
      code: 'queue_full',
      retryAfterSeconds: 5,
    });
  }
  return accepted;
}
