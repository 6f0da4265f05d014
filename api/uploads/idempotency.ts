import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from '../../shared/errors.ts';
import { ISO_INSTANT_PATTERN } from '../../shared/messages.ts';
import { UUID_PATTERN } from '../../shared/ids.ts';
import type { Command } from '../../shared/queue/stream.ts';
import { command, text, type Redis } from '../../shared/redis.ts';
import { RedisScript } from '../../shared/redis-script.ts';
import { calling } from '../../shared/unavailable.ts';
import { newAcceptance, type Accepted } from './enqueue.ts';
import { hashIdempotencyKey } from './idempotency-key.ts';

/**
 * What Redis holds under a key: `pending` while its first request is being
 * enqueued (the token tells that request's claim from a later one's), `done`
 * once the job exists.
 */
const IdempotencyRecord = Type.Union([
  Type.Object({ state: Type.Literal('pending'), fingerprint: Type.String(), token: Type.String() }),
  Type.Object({
    state: Type.Literal('done'),
    fingerprint: Type.String(),
    id: Type.String({ pattern: UUID_PATTERN }),
    received_at: Type.String({ pattern: ISO_INSTANT_PATTERN }),
  }),
]);
type IdempotencyRecord = Static<typeof IdempotencyRecord>;
const checkRecord = TypeCompiler.Compile(IdempotencyRecord);

// Deletes the key only while it still holds this request's own pending claim.
const RELEASE = new RedisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

export interface IdempotencyOptions {
  /** How long a key is remembered after its job was accepted. */
  ttlSeconds: number;
  /** How long a claim outlives an API that died holding it; enqueueing takes milliseconds. */
  pendingSeconds?: number;
  /** How long a repeat waits for the first request to finish before answering 409. */
  waitMs?: number;
  pollMs?: number;
}

export interface Outcome {
  accepted: Accepted;
  /** True when the key was already used and its first answer is given again. */
  replayed: boolean;
}

/**
 * Idempotency-Key for uploads: one job per key, whatever the number of
 * requests, sequential or concurrent. The key is claimed with `SET NX`
 * before enqueueing, and its `done` record is written in the enqueue's own
 * MULTI, so a job never exists without its record. A refused enqueue (queue
 * full, Redis down) releases the claim: only an accepted upload uses a key up.
 */
export class IdempotencyStore {
  private readonly pendingSeconds: number;
  private readonly waitMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (keyHash: string) => string,
    private readonly options: IdempotencyOptions,
  ) {
    this.pendingSeconds = options.pendingSeconds ?? 30;
    this.waitMs = options.waitMs ?? 1000;
    this.pollMs = options.pollMs ?? 20;
  }

  /**
   * Runs `enqueue` the first time `key` is seen and replays that acceptance
   * for every later request with the same fingerprint. Throws
   * IdempotencyKeyReusedError (422) for another fingerprint, and
   * IdempotencyKeyInUseError (409) when the first request is still in flight
   * after `waitMs`.
   */
  async accept(
    key: string,
    fingerprint: string,
    enqueue: (accepted: Accepted, extra: Command[]) => Promise<unknown>,
  ): Promise<Outcome> {
    const redisKey = this.keyOf(hashIdempotencyKey(key));
    const claim = JSON.stringify({ state: 'pending', fingerprint, token: crypto.randomUUID() } satisfies IdempotencyRecord);
    // Monotonic: a wall clock stepped back would hold the request for as long as it went back.
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const held = await calling('redis', command(this.redis, ['SET', redisKey, claim, 'NX', 'GET', 'EX', String(this.pendingSeconds)]));
      if (held === null) break;
      const record = parseRecord(text(held), redisKey);
      if (record.fingerprint !== fingerprint) {
        throw new IdempotencyKeyReusedError(
          'Idempotency-Key header: this key was already used for a different upload (other image or description); use a new key for a new upload',
        );
      }
      if (record.state === 'done') return { accepted: { id: record.id, received_at: record.received_at }, replayed: true };
      if (performance.now() >= deadline) {
        throw new IdempotencyKeyInUseError('Idempotency-Key header: the first request with this key is still being accepted; retry shortly');
      }
      await Bun.sleep(this.pollMs);
    }
    const accepted = newAcceptance();
    const done = JSON.stringify({ state: 'done', fingerprint, ...accepted } satisfies IdempotencyRecord);
    try {
      await enqueue(accepted, [['SET', redisKey, done, 'EX', String(this.options.ttlSeconds)]]);
    } catch (err) {
      // If Redis itself is down this fails too; the claim then expires after pendingSeconds.
      await RELEASE.run(this.redis, [redisKey], [claim]).catch(() => {});
      throw err;
    }
    return { accepted, replayed: false };
  }
}

function parseRecord(raw: string, redisKey: string): IdempotencyRecord {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!checkRecord.Check(value)) throw new Error(`the idempotency record at ${redisKey} is not one this API writes: ${raw.slice(0, 200)}`);
  return value;
}
