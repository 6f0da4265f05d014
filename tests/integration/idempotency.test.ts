import { afterAll, beforeAll, describe, expect, setSystemTime, test } from 'bun:test';
import { enqueueUpload, type Accepted } from '../../api/uploads/enqueue.ts';
import { IdempotencyStore, type IdempotencyOptions } from '../../api/uploads/idempotency.ts';
import { fingerprintUpload, hashIdempotencyKey } from '../../api/uploads/idempotency-key.ts';
import type { Upload } from '../../api/uploads/upload.ts';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, ServiceUnavailableError } from '../../shared/errors.ts';
import { JobStore } from '../../shared/jobs.ts';
import type { Command } from '../../shared/queue/stream.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import { command, text } from '../../shared/redis.ts';
import { redisNamespace } from '../support/redis.ts';
import { rejectionOf } from '../support/rejection.ts';

let ns: Awaited<ReturnType<typeof redisNamespace>>;
beforeAll(async () => {
  ns = await redisNamespace();
});
afterAll(() => ns.cleanup());

const upload = (description = 'a cat'): Upload => ({ image: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]), description, contentType: 'image/jpeg' });

let n = 0;
/** A store and a real stream of its own per test, with a counter of enqueue calls. */
function setup(options: Partial<IdempotencyOptions> = {}) {
  n++;
  const queue = new StreamQueue(ns.redis, `${ns.prefix}uploads${n}`, 'g');
  const jobs = new JobStore(ns.redis, ns.k, 3600);
  const store = new IdempotencyStore(ns.redis, ns.k.idempotency, { ttlSeconds: 600, waitMs: 300, ...options });
  const calls = { count: 0 };
  const enqueue = (u: Upload) => (accepted: Accepted, extra: Command[]) => {
    calls.count++;
    return enqueueUpload(queue, jobs, u, 1000, accepted, extra);
  };
  const accept = (key: string, u = upload()) => store.accept(key, fingerprintUpload(u), enqueue(u));
  const streamLength = () => queue.length();
  return { store, accept, enqueue, calls, streamLength, queue, jobs };
}

describe('IdempotencyStore', () => {
  test('the first request enqueues; a repeat gets the same id, replayed, and no second job', async () => {
    const s = setup();
    const first = await s.accept('key-1');
    const again = await s.accept('key-1');
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ accepted: first.accepted, replayed: true });
    expect(s.calls.count).toBe(1);
    expect(await s.streamLength()).toBe(1);
  });

  test('remembers the key under the prefix by its sha256, for the configured TTL', async () => {
    const s = setup({ ttlSeconds: 600 });
    const { accepted } = await s.accept('order 7 / attempt');
    const redisKey = ns.k.idempotency(hashIdempotencyKey('order 7 / attempt'));
    expect(redisKey).toBe(`${ns.prefix}idem:${hashIdempotencyKey('order 7 / attempt')}`);
    const record = JSON.parse(text(await command(ns.redis, ['GET', redisKey])));
    expect(record).toMatchObject({ state: 'done', id: accepted.id, received_at: accepted.received_at });
    const ttl = Number(await command(ns.redis, ['TTL', redisKey]));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  test('different keys are different uploads', async () => {
    const s = setup();
    const a = await s.accept('key-a');
    const b = await s.accept('key-b');
    expect(a.accepted.id).not.toBe(b.accepted.id);
    expect(await s.streamLength()).toBe(2);
  });

  test('the same key with another description or image is refused with 422 idempotency_key_reused', async () => {
    const s = setup();
    await s.accept('key-r', upload('a cat'));
    await rejectionOf(s.accept('key-r', upload('a dog')), IdempotencyKeyReusedError);
    const otherImage = { ...upload('a cat'), image: new Uint8Array([0xff, 0xd8, 0xff, 9]) };
    await rejectionOf(s.accept('key-r', otherImage), IdempotencyKeyReusedError);
    expect(s.calls.count).toBe(1);
  });

  test('five concurrent requests with one key make exactly one job and all get its id', async () => {
    const s = setup({ waitMs: 2000 });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => s.accept('key-c')));
    expect(new Set(outcomes.map((o) => o.accepted.id)).size).toBe(1);
    expect(outcomes.filter((o) => !o.replayed).length).toBe(1);
    expect(s.calls.count).toBe(1);
    expect(await s.streamLength()).toBe(1);
  });

  test('a repeat while the first is still enqueueing waits, then answers 409 idempotency_key_in_use', async () => {
    const s = setup({ waitMs: 200 });
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow = s.store.accept('key-slow', fingerprintUpload(upload()), async (accepted, extra) => {
      await gate;
      return s.enqueue(upload())(accepted, extra);
    });
    await Bun.sleep(20);
    const started = Date.now();
    const err = await rejectionOf(s.accept('key-slow'), IdempotencyKeyInUseError);
    expect(err.retryAfterSeconds).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    finish();
    const first = await slow;
    expect((await s.accept('key-slow')).accepted.id).toBe(first.accepted.id);
  });

  test('a repeat waits no longer than its wait when the wall clock is stepped back meanwhile', async () => {
    const s = setup({ waitMs: 200 });
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow = s.store.accept('key-stepped', fingerprintUpload(upload()), async (accepted, extra) => {
      await gate;
      return s.enqueue(upload())(accepted, extra);
    });
    await Bun.sleep(20);
    const repeat = rejectionOf(s.accept('key-stepped'), IdempotencyKeyInUseError);
    setSystemTime(new Date(Date.now() - 600_000)); // NTP steps the clock back 10 minutes
    try {
      await repeat;
    } finally {
      setSystemTime();
    }
    finish();
    await slow;
  }, 5000);

  test('a repeat that arrives while the first is enqueueing gets the id once it is done', async () => {
    const s = setup({ waitMs: 1000 });
    const slow = s.store.accept('key-wait', fingerprintUpload(upload()), async (accepted, extra) => {
      await Bun.sleep(100);
      return s.enqueue(upload())(accepted, extra);
    });
    await Bun.sleep(20);
    const repeat = await s.accept('key-wait');
    expect(repeat.replayed).toBe(true);
    expect(repeat.accepted.id).toBe((await slow).accepted.id);
  });

  test('a different payload is refused at once even while the first is in flight', async () => {
    const s = setup({ waitMs: 5000 });
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow = s.store.accept('key-busy', fingerprintUpload(upload()), async () => gate);
    await Bun.sleep(20);
    const started = Date.now();
    await rejectionOf(s.accept('key-busy', upload('other')), IdempotencyKeyReusedError);
    expect(Date.now() - started).toBeLessThan(1000);
    finish();
    await slow;
  });

  test('a refused enqueue (queue full) releases the key, so a retry with it is enqueued', async () => {
    const s = setup();
    await rejectionOf(
      s.store.accept('key-full', fingerprintUpload(upload()), (accepted, extra) => enqueueUpload(s.queue, s.jobs, upload(), 0, accepted, extra)),
      ServiceUnavailableError,
    );
    expect(await command(ns.redis, ['EXISTS', ns.k.idempotency(hashIdempotencyKey('key-full'))])).toBe(0);
    const retry = await s.accept('key-full');
    expect(retry.replayed).toBe(false);
    expect(await s.streamLength()).toBe(1);
  });

  test('a claim left by an API that died mid-request expires after pendingSeconds', async () => {
    const s = setup({ pendingSeconds: 1, waitMs: 0 });
    void s.store.accept('key-dead', fingerprintUpload(upload()), () => new Promise(() => {}));
    await Bun.sleep(20);
    await rejectionOf(s.accept('key-dead'), IdempotencyKeyInUseError);
    await Bun.sleep(1100);
    expect((await s.accept('key-dead')).replayed).toBe(false);
  });

  test('a record this API did not write is an internal error, not a silent replay', async () => {
    const s = setup();
    await command(ns.redis, ['SET', ns.k.idempotency(hashIdempotencyKey('key-junk')), 'not json']);
    expect((await rejectionOf(s.accept('key-junk'), Error)).message).toContain('not one this API writes');
  });
});
