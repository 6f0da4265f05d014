import type { Sql } from '../../shared/db.ts';
import { ConflictError, NotFoundError } from '../../shared/errors.ts';
import type { JobStore } from '../../shared/jobs.ts';
import { commandWords, RUN_COMMANDS_LUA } from '../../shared/status-order.ts';
import { isUuid } from '../../shared/ids.ts';
import type { Keys } from '../../shared/queue/keys.ts';
import type { Command } from '../../shared/queue/stream.ts';
import type { Redis } from '../../shared/redis.ts';
import { command, text } from '../../shared/redis.ts';
import { RedisScript } from '../../shared/redis-script.ts';
import { chargedXadd, queuedBytesKey, xaddCost } from '../../shared/queue/stream-bytes.ts';
import { reopenBatchFor } from '../batches/reopen-batch.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';

/** A dead-lettered entry as the dashboard shows it (the image bytes stay in Redis, or in the store by reference). */
export interface DeadLetter {
  entry_id: string;
  job_id: string | null;
  source: string;
  source_id: string;
  error: { code: string; name: string; message: string; detail?: string };
  deliveries: number;
  failed_at: string;
  description: string | null;
  image_bytes: number | null;
  /** The image's key in the object store when the entry carries it by reference. */
  image_key: string | null;
  /** An input fault's letter: the image and file bytes were dropped, so it cannot be retried. */
  payload_dropped: boolean;
}

interface ParsedEntry {
  meta: Record<string, string>;
  /** The entry's original fields, in order, as they were on the source stream. */
  original: Array<Buffer>;
  /** What the dead letter is charged against REDIS_MAX_QUEUED_BYTES (see stream-bytes.ts). */
  cost: number;
}

const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * Removes the dead entry and, only if it was still there, runs the given
 * commands (re-adding it and setting the job back to queued), all at once:
 * two retries of one entry, or a retry racing a discard, re-add it once at
 * most. ARGV is the entry id, then each command as its length and its words
 * (a job status, itself a script, runs inline: see RUN_COMMANDS_LUA).
 * The commands touch keys not declared in KEYS; kadr runs on one Redis, not
 * a cluster.
 */
const TAKE_AND_RUN = new RedisScript(`${RUN_COMMANDS_LUA}
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
run_commands(2)
return 1`);

/** The dead-letter stream's fields that StreamQueue.deadLetter writes before the original ones. */
const META_FIELDS = ['source', 'source_id', 'group', 'error_code', 'error_name', 'error_message', 'error_detail', 'deliveries', 'failed_at', 'payload_dropped'];
/** Written only when there is one (the raw text behind a clear reason; a dropped payload), and absent from older letters. */
const OPTIONAL_META = new Set(['error_detail', 'payload_dropped']);

function parse(pairs: Buffer[]): ParsedEntry {
  const meta: Record<string, string> = {};
  let i = 0;
  // The metadata comes first and in this order; everything after is the original entry.
  for (const name of META_FIELDS) {
    if (i + 1 >= pairs.length) break;
    if (text(pairs[i]) !== name) {
      if (OPTIONAL_META.has(name)) continue;
      break;
    }
    meta[name] = text(pairs[i + 1]);
    i += 2;
  }
  return { meta, original: pairs.slice(i), cost: xaddCost(['XADD', '', '*', ...pairs]) };
}

function fieldOf(original: Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < original.length; i += 2) if (text(original[i]) === name) return text(original[i + 1]);
  return undefined;
}

/** The fields with `name` set to `value` (the entry's own order kept). */
function withField(original: Buffer[], name: string, value: string): Buffer[] {
  const out = original.slice();
  for (let i = 0; i + 1 < out.length; i += 2) if (text(out[i]) === name) out[i + 1] = Buffer.from(value);
  return out;
}

function webhookSummary(field: (name: string) => Buffer | undefined): string | null {
  const [event, type, url] = [field('event_id'), field('type'), field('url')];
  return event && type && url ? `webhook ${text(type)} ${text(event)} to ${text(url)}` : null;
}

function toDeadLetter(id: string, { meta, original }: ParsedEntry): DeadLetter {
  const field = (name: string) => {
    for (let i = 0; i + 1 < original.length; i += 2) if (text(original[i]) === name) return original[i + 1]!;
    return undefined;
  };
  const jobId = field('id');
  const description = field('description');
  const image = field('image');
  const imageKey = field('image_key');
  return {
    entry_id: id,
    job_id: jobId ? text(jobId) : null,
    source: meta.source ?? '',
    source_id: meta.source_id ?? '',
    error: {
      code: meta.error_code ?? '', name: meta.error_name ?? '', message: meta.error_message ?? '',
      ...(meta.error_detail !== undefined && { detail: meta.error_detail }),
    },
    deliveries: Number(meta.deliveries ?? 0),
    failed_at: meta.failed_at ?? '',
    // A webhook has no description of its own: the dashboard shows which event went where instead.
    description: description ? text(description) : webhookSummary(field),
    image_bytes: image ? image.length : null,
    image_key: imageKey ? text(imageKey) : null,
    payload_dropped: meta.payload_dropped === '1',
  };
}

/** Lists, retries and discards the entries of the dead-letter stream. */
export class DeadLetters {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
    private readonly jobs: JobStore,
    /** Where batches are recorded: a retried batch job reopens its batch. */
    private readonly sql: Sql,
    /**
     * Lets a discard delete the object a dead letter refers to; `owned` says
     * whether an `images` row records the key as its path (then the object is
     * the row's, not the letter's).
     */
    private readonly objects?: { claims: ClaimCheck; owned: (key: string) => Promise<boolean> },
  ) {}

  /** Newest first; `before` is the last entry id of the previous page (exclusive). */
  async list(limit: number, before?: string): Promise<{ items: DeadLetter[]; more: boolean }> {
    const end = before === undefined ? '+' : `(${this.checkId(before)}`;
    const raw = (await command(this.redis, ['XREVRANGE', this.k.dead, end, '-', 'COUNT', String(limit + 1)])) as Array<[Buffer, Buffer[]]>;
    const items = raw.slice(0, limit).map(([id, pairs]) => toDeadLetter(text(id), parse(pairs)));
    return { items, more: raw.length > limit };
  }

  async get(entryId: string): Promise<{ letter: DeadLetter; original: Buffer[]; cost: number }> {
    const raw = (await command(this.redis, ['XRANGE', this.k.dead, this.checkId(entryId), entryId])) as Array<[Buffer, Buffer[]]>;
    if (raw.length === 0) throw new NotFoundError(`no dead letter "${entryId}"`);
    const parsed = parse(raw[0]![1]);
    return { letter: toDeadLetter(entryId, parsed), original: parsed.original, cost: parsed.cost };
  }

  /**
   * Puts the entry back on the stream it failed on, as it was (a webhook with
   * its retry schedule started afresh), and sets its job back to `queued` (forgetting the failure's reason), atomically with
   * removing it from the dead letters. The workers count its deliveries anew.
   * A job of a batch is also struck from the batch's finished jobs in the same
   * script, and its batch set back to running (see reopenBatchFor), so the
   * job's next end is the one its batch counts and archives; a job whose batch
   * has expired is refused (409 batch_expired).
   */
  async retry(entryId: string): Promise<DeadLetter> {
    const { letter, original, cost } = await this.get(entryId);
    if (![this.k.uploads, this.k.captioned, this.k.webhooks].includes(letter.source)) {
      throw new ConflictError(`dead letter "${entryId}" came from "${letter.source}", which is not a kadr stream`, 'not_retryable');
    }
    if (letter.payload_dropped) {
      throw new ConflictError(
        `dead letter "${entryId}" failed on its input (${letter.error.code}), so its image was not kept; a retry could not succeed: upload the image again`,
        'payload_dropped',
      );
    }
    // A webhook goes back with its whole retry schedule ahead of it; it names no job, so nothing below touches one.
    const fields = letter.source === this.k.webhooks ? withField(original, 'attempt', '0') : original;
    // Its bytes move from the dead letters' counter back to its stream's (see stream-bytes.ts).
    const commands: Command[] = [...chargedXadd(['XADD', letter.source, '*', ...fields]), ['DECRBY', queuedBytesKey(this.k.dead), String(cost)]];
    const batchId = fieldOf(original, 'batch_id');
    const inBatch = isUuid(batchId) && isUuid(letter.job_id);
    if (inBatch) commands.push(['HDEL', this.k.batchFinished(batchId), letter.job_id!]);
    if (isUuid(letter.job_id)) {
      const receivedAt = original.findIndex((b, i) => i % 2 === 0 && text(b) === 'received_at');
      // The job's hash may have expired meanwhile; the entry knows when it was received.
      const extra: Record<string, string> = receivedAt >= 0 ? { received_at: text(original[receivedAt + 1]) } : {};
      commands.push(...this.jobs.resetCommands(letter.job_id, extra));
    }
    const args = [entryId, ...commandWords(commands)];
    const requeue = async () => {
      if (Number(await TAKE_AND_RUN.run(this.redis, [this.k.dead], args)) !== 1) {
        throw new NotFoundError(`no dead letter "${entryId}" (already retried or discarded)`);
      }
      return letter;
    };
    return inBatch ? reopenBatchFor(this.sql, batchId, requeue) : requeue();
  }

  /**
   * Removes the dead letter for good, and with it the object it refers to
   * (the claim check), unless a row owns that object. The entry goes first:
   * once it is gone no retry can re-add a reference to a deleted object. A
   * store failure after that leaves the object registered, for the orphan
   * sweep once the job's status has expired.
   */
  async discard(entryId: string): Promise<void> {
    const { letter, cost } = await this.get(entryId);
    // Removed and uncharged at once, and uncharged only if it was still there.
    const args = [this.checkId(entryId), '3', 'DECRBY', queuedBytesKey(this.k.dead), String(cost)];
    if (Number(await TAKE_AND_RUN.run(this.redis, [this.k.dead], args)) !== 1) {
      throw new NotFoundError(`no dead letter "${entryId}"`);
    }
    const key = letter.image_key;
    if (!key || !this.objects) return;
    const { claims, owned } = this.objects;
    if (await owned(key)) await claims.registry.forget(key);
    else await claims.discard(key);
  }

  private checkId(entryId: string): string {
    if (!ENTRY_ID.test(entryId)) throw new NotFoundError(`no dead letter "${entryId}" (entry ids look like 1732350000000-0)`);
    return entryId;
  }
}
