import type { JobStore } from '../../shared/jobs.ts';
import { EnqueueOutcomeUnknownError, ServiceUnavailableError } from '../../shared/errors.ts';
import { toFields } from '../../shared/messages.ts';
import type { Command, StreamQueue } from '../../shared/queue/stream.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { incomingKey } from '../../shared/storage/object-keys.ts';
import { calling, isUnavailable, neverSent, unavailableError } from '../../shared/unavailable.ts';
import type { RedisMemoryGauge } from '../../shared/redis-memory.ts';
import { QueueGauge } from './queue-gauge.ts';
import type { QueuedBytes } from './queued-bytes.ts';
import { chargedXadd, xaddCost } from '../../shared/queue/stream-bytes.ts';
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
 * With `claims`, an image it refers goes to the store first (see deposit).
 */
export async function enqueueUpload(
  uploads: StreamQueue,
  jobs: JobStore,
  upload: Upload,
  maxLength: number,
  accepted: Accepted = newAcceptance(),
  extra: Command[] = [],
  gauge: QueueGauge = new QueueGauge(uploads, 0),
  claims?: ClaimCheck,
  queued?: QueuedBytes,
): Promise<Accepted> {
  if (!(await calling('redis', gauge.hasRoom(maxLength)))) throw queueFullError(maxLength);
  await requireMemory(gauge.memory, uploadBytes(upload));
  const { id } = accepted;
  // The key it would go to is known before it is written: nothing goes to the store for a refused upload.
  const commands = [...enqueueCommands(uploads, jobs, upload, accepted, undefined, referredKey(claims, id, upload)), ...extra];
  const release = await queued?.admit(commandsCost(commands));
  try {
    await deposit(claims, id, upload);
    const tx = uploads.redis.multi();
    for (const c of commands) tx.addCommand(c as never);
    // The queue's length and bytes after this append, for the next uploads' admission.
    tx.addCommand(['XLEN', uploads.key] as never);
    if (queued) tx.addCommand(queued.readCommand() as never);
    try {
      const replies = (await tx.exec()) as unknown[];
      if (queued) queued.record(replies.at(-1));
      gauge.record(Number(replies.at(queued ? -2 : -1)));
    } catch (err) {
      if (!isUnavailable('redis', err)) throw err;
      throw neverSent(err) ? unavailableError('redis', err) : new EnqueueOutcomeUnknownError(id, err);
    }
  } finally {
    release?.();
  }
  return accepted;
}

/**
 * Writes the upload's image to the store as `incoming/<id>` when the claim
 * check refers it, and answers that key (undefined: the bytes stay inline).
 * It runs BEFORE the enqueue's MULTI, so a 202 still means durable; a store
 * failure is a 503 `storage_unavailable` with nothing queued, and an object
 * whose enqueue then fails is left to the orphan sweep (it is registered).
 * Watermark `files` always stay inline: at most 4 of 1 MiB each.
 */
/** The key `deposit` will write the upload's image to, or undefined when its bytes stay inline (or it has none: a URL). */
export function referredKey(claims: ClaimCheck | undefined, id: string, upload: Upload): string | undefined {
  return upload.image && claims?.refers(upload.image.byteLength) ? incomingKey(id) : undefined;
}

export async function deposit(claims: ClaimCheck | undefined, id: string, upload: Upload): Promise<string | undefined> {
  // An image given by URL has no bytes here: the processor fetches them.
  if (!upload.image || !claims?.refers(upload.image.byteLength)) return undefined;
  const key = incomingKey(id);
  await calling('redis', claims.deposit(key, upload.image, upload.contentType ?? 'application/octet-stream'));
  return key;
}

/**
 * The commands that queue one upload: its `queued` status and its stream 1
 * entry, for the caller's MULTI. `batchId` makes it a job of that batch;
 * with `imageKey` the entry carries that key instead of the image's bytes.
 */
export function enqueueCommands(
  uploads: StreamQueue,
  jobs: JobStore,
  upload: Upload,
  accepted: Accepted,
  batchId?: string,
  imageKey?: string,
): Command[] {
  const { id, received_at } = accepted;
  const { description, source, operations, files } = upload;
  const image = imageKey === undefined ? upload.image : undefined;
  // A batch's callback is the batch's (its row), so its jobs carry none.
  const callback_url = batchId ? undefined : upload.callbackUrl;
  return [
    ...jobs.commands(id, 'queued', { received_at }),
    ...chargedXadd([
      'XADD', uploads.key, '*',
      ...toFields({
        id, description, received_at, image, image_key: imageKey, source_url: source?.url, operations, files, batch_id: batchId, callback_url,
      }),
    ]),
  ];
}

/** What the stream entries that `commands` add cost against REDIS_MAX_QUEUED_BYTES. */
export function commandsCost(commands: Command[]): number {
  return commands.filter((c) => c[0] === 'XADD').reduce((sum, c) => sum + xaddCost(c), 0);
}

/**
 * Refuses (503 queue_full) while Redis is near its maxmemory: what is left
 * is the workers' to hand over and acknowledge the work already accepted. A
 * Redis that refuses a write for lack of memory gets the same answer (see
 * unavailableError); this check is what keeps it from coming to that.
 */
export async function requireMemory(memory: RedisMemoryGauge | undefined, bytes: number): Promise<void> {
  if (memory && !(await calling('redis', memory.hasRoom(bytes)))) {
    throw new ServiceUnavailableError(
      `the processing queue is full (Redis is above ${memory.percent} % of its maxmemory); try again shortly`,
      { code: 'queue_full', retryAfterSeconds: 5 },
    );
  }
}

/** What an upload's stream entry holds, near enough: its image (or address) and file parts. */
export function uploadBytes(upload: Upload): number {
  let bytes = (upload.image?.byteLength ?? upload.source?.url.length ?? 0) + upload.description.length;
  for (const f of Object.values(upload.files ?? {})) bytes += f.byteLength;
  return bytes;
}

export function queueFullError(maxLength: number): ServiceUnavailableError {
  return new ServiceUnavailableError(`the processing queue is full (${maxLength} waiting); try again shortly`, {
    code: 'queue_full',
    retryAfterSeconds: 5,
  });
}
