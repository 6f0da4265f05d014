import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { command, text } from '../../shared/redis.ts';
import { replyRecord } from '../../shared/redis-reply.ts';
import { DependencyError, ImageDecodeError } from '../../shared/errors.ts';
import { JobStore } from '../../shared/jobs.ts';
import { toFields, uploadCodec, type UploadMessage } from '../../shared/messages.ts';
import { StreamConsumer } from '../../shared/queue/consumer.ts';
import { failJobCommands } from '../../shared/queue/fail-job.ts';
import { pairsToFields } from '../../shared/queue/reply.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';
import { until } from '../support/wait.ts';

let ns: Awaited<ReturnType<typeof redisNamespace>>;
beforeAll(async () => {
  ns = await redisNamespace();
});
afterAll(() => ns.cleanup());

let n = 0;
/** A fresh stream and group per test, so tests never see each other's entries. */
function freshQueue() {
  n++;
  const queue = new StreamQueue(ns.redis, `${ns.prefix}s${n}`, 'g');
  const jobs = new JobStore(ns.redis, ns.k, 3600);
  const deadKey = `${ns.prefix}dead${n}`;
  return { queue, jobs, deadKey };
}

async function addUpload(queue: StreamQueue, jobs: JobStore, overrides: Partial<Record<string, string | Uint8Array>> = {}) {
  const id = Bun.randomUUIDv7();
  const msg = { id, description: 'a cat', received_at: new Date().toISOString(), image: new Uint8Array([0xff, 0xd8, 0, 1, 255]), ...overrides };
  await jobs.set(id, 'queued');
  await command(ns.redis, ['XADD', queue.key, '*', ...toFields(msg as Record<string, string | Uint8Array>)]);
  return id;
}

async function deadEntries(deadKey: string) {
  const raw = (await command(ns.redis, ['XRANGE', deadKey, '-', '+'])) as Array<[Buffer, Buffer[]]>;
  return raw.map(([, pairs]) => pairsToFields(pairs));
}

type ConsumerExtra = { maxDeliveries?: number; reclaimIdleMs?: number; count?: number; monotonicNow?: () => number; forgetIdleMs?: number };

function consumer(q: ReturnType<typeof freshQueue>, name: string, handle: (m: UploadMessage) => Promise<void>, extra: ConsumerExtra = {}) {
  return new StreamConsumer<UploadMessage>({
    queue: q.queue,
    reader: ns.reader,
    consumer: name,
    log: silentLog,
    decode: uploadCodec.decode,
    handle: async (m, entry) => {
      await handle(m);
      const tx = ns.redis.multi();
      for (const c of q.queue.ackCommands(entry.id)) tx.addCommand(c as never);
      await tx.exec();
    },
    onDeadLetter: (jobId, error) => failJobCommands(q.jobs, jobId, error),
    deadKey: q.deadKey,
    maxDeliveries: extra.maxDeliveries ?? 3,
    reclaimIdleMs: extra.reclaimIdleMs ?? 150,
    blockMs: 50,
    count: extra.count,
    monotonicNow: extra.monotonicNow,
    forgetIdleMs: extra.forgetIdleMs,
  });
}

/** A consumer on `q` whose every attempt throws `fail()`; `attempts()` counts them. */
function failingConsumer(q: ReturnType<typeof freshQueue>, fail: () => Error, extra: { maxDeliveries?: number; reclaimIdleMs?: number } = {}) {
  let attempts = 0;
  const c = consumer(q, 'c', async () => {
    attempts++;
    throw fail();
  }, extra);
  return { c, attempts: () => attempts };
}


describe('stream queue on real Redis', () => {
  test('keeps image bytes binary-exact across the stream', async () => {
    const q = freshQueue();
    await q.queue.ensureGroup();
    const bytes = new Uint8Array(256).map((_, i) => i);
    await addUpload(q.queue, q.jobs, { image: bytes });
    const [entry] = await q.queue.readNew(ns.reader, 'c1', 1, 100);
    const msg = uploadCodec.decode(entry!.fields!);
    expect(Buffer.from(msg.image!).equals(Buffer.from(bytes))).toBe(true);
  });

  test('an entry read but never acknowledged is reclaimed by another consumer, delivery counted', async () => {
    const q = freshQueue();
    await q.queue.ensureGroup();
    const id = await addUpload(q.queue, q.jobs);
    const [first] = await q.queue.readNew(ns.reader, 'dies', 1, 100);
    expect(first!.deliveries).toBe(1);
    // 'dies' never acks: as if it was killed mid-work.
    expect((await q.queue.reclaim('survivor', 60_000, 10)).entries).toEqual([]);
    await Bun.sleep(120);
    const [again] = (await q.queue.reclaim('survivor', 100, 10)).entries;
    expect(again!.id).toBe(first!.id);
    expect(again!.deliveries).toBe(2);
    expect(uploadCodec.decode(again!.fields!).id).toBe(id);
  });

  test('acknowledged entries are deleted, so the stream holds only unfinished work', async () => {
    const q = freshQueue();
    const seen: string[] = [];
    const c = consumer(q, 'c', async (m) => void seen.push(m.id));
    const ids = [await addUpload(q.queue, q.jobs), await addUpload(q.queue, q.jobs)];
    void c.start();
    await until('two messages seen', () => seen.length === 2, 5000, { intervalMs: 20 });
    await c.stop();
    expect(seen).toEqual(ids);
    expect(await q.queue.length()).toBe(0);
  }, 15_000);

  test('a message that keeps failing transiently is retried with backoff and dead-lettered after max deliveries with its last reason', async () => {
    const q = freshQueue();
    // A reclaim idle time of a minute: the retries cannot be the reclaim's.
    let attempt = 0;
    const { c, attempts } = failingConsumer(q, () => new Error(`EMFILE: too many open files (attempt ${++attempt})`), { maxDeliveries: 3, reclaimIdleMs: 60_000 });
    const id = await addUpload(q.queue, q.jobs);
    void c.start();
    await until('one entry in the dead-letter stream', async () => (await deadEntries(q.deadKey)).length === 1, 8000, { intervalMs: 20 });
    await c.stop();
    expect(attempts()).toBe(3);
    const [dead] = await deadEntries(q.deadKey);
    expect(text(dead!.error_code)).toBe('internal');
    expect(text(dead!.error_message)).toBe('EMFILE: too many open files (attempt 3) (gave up after 3 deliveries)');
    expect(text(dead!.deliveries)).toBe('3');
    expect(text(dead!.id)).toBe(id);
    expect(dead!.image).toBeDefined();
    const job = await q.jobs.get(id);
    expect(job?.status).toBe('failed');
    expect(job?.error).toEqual({ code: 'internal', message: 'EMFILE: too many open files (attempt 3) (gave up after 3 deliveries)' });
    expect(await q.queue.length()).toBe(0);
  });

  test('a transient failure is retried without waiting out the reclaim idle time, each retry counted as a delivery', async () => {
    const q = freshQueue();
    const deliveries: number[] = [];
    let attempts = 0;
    const c = new StreamConsumer<UploadMessage>({
      queue: q.queue,
      reader: ns.reader,
      consumer: 'c',
      log: silentLog,
      decode: uploadCodec.decode,
      handle: async (_m, entry) => {
        const pending = (await command(ns.redis, ['XPENDING', q.queue.key, 'g', '-', '+', '1'])) as Array<[Buffer, Buffer, number, number]>;
        deliveries.push(Number(pending[0]![3]));
        if (++attempts < 3) throw new Error('out of memory');
        const tx = ns.redis.multi();
        for (const cmd of q.queue.ackCommands(entry.id)) tx.addCommand(cmd as never);
        await tx.exec();
      },
      onDeadLetter: (jobId, error) => failJobCommands(q.jobs, jobId, error),
      deadKey: q.deadKey,
      maxDeliveries: 5,
      reclaimIdleMs: 60_000,
      blockMs: 50,
    });
    await addUpload(q.queue, q.jobs);
    void c.start();
    await until('the entry handled', async () => attempts === 3 && (await q.queue.length()) === 0, 8000, { intervalMs: 20 });
    await c.stop();
    expect(deliveries).toEqual([1, 2, 3]);
    expect(await deadEntries(q.deadKey)).toEqual([]);
  });

  test('an entry that crashed its consumers is dead-lettered after max deliveries', async () => {
    const q = freshQueue();
    await q.queue.ensureGroup();
    const id = await addUpload(q.queue, q.jobs);
    // Three consumers that took the entry and died without a word.
    await q.queue.readNew(ns.reader, 'dead1', 1, 100);
    await Bun.sleep(30);
    await q.queue.reclaim('dead2', 10, 10);
    await Bun.sleep(30);
    await q.queue.reclaim('dead3', 10, 10);
    await Bun.sleep(30);
    const { c, attempts } = failingConsumer(q, () => new Error('never called'), { maxDeliveries: 3, reclaimIdleMs: 20 });
    void c.start();
    await until('one entry in the dead-letter stream', async () => (await deadEntries(q.deadKey)).length === 1, 8000, { intervalMs: 20 });
    await c.stop();
    expect(attempts()).toBe(0);
    expect((await q.jobs.get(id))?.error?.code).toBe('too_many_deliveries');
  });

  test('a permanent error dead-letters at once with its reason', async () => {
    const q = freshQueue();
    let attempts = 0;
    const c = consumer(q, 'c', async () => {
      attempts++;
      throw new ImageDecodeError('image could not be decoded: not a JPEG');
    });
    const id = await addUpload(q.queue, q.jobs);
    void c.start();
    await until('the job marked failed', async () => (await q.jobs.get(id))?.status === 'failed', 5000, { intervalMs: 20 });
    await c.stop();
    expect(attempts).toBe(1);
    expect((await q.jobs.get(id))?.error).toEqual({ code: 'image_undecodable', message: 'image could not be decoded: not a JPEG' });
  });

  test('an invalid message is dead-lettered without reaching the handler', async () => {
    const q = freshQueue();
    let called = false;
    const c = consumer(q, 'c', async () => void (called = true));
    await q.queue.ensureGroup();
    await command(ns.redis, ['XADD', q.queue.key, '*', 'id', 'not-a-uuid', 'description', 'x']);
    void c.start();
    await until('one entry in the dead-letter stream', async () => (await deadEntries(q.deadKey)).length === 1, 5000, { intervalMs: 20 });
    await c.stop();
    expect(called).toBe(false);
    expect(text((await deadEntries(q.deadKey))[0]!.error_code)).toBe('invalid_message');
  });

  test('a dependency outage retries the same entry without counting deliveries', async () => {
    const q = freshQueue();
    let attempts = 0;
    const c = consumer(q, 'c', async () => {
      if (++attempts < 6) throw new DependencyError('database down');
    }, { maxDeliveries: 2 });
    await addUpload(q.queue, q.jobs);
    void c.start();
    await until('six attempts', () => attempts === 6, 10_000, { intervalMs: 20 });
    await c.stop();
    expect(await deadEntries(q.deadKey)).toEqual([]);
    expect(await q.queue.length()).toBe(0);
  });

  test('an outage longer than the reclaim idle time neither hands the entry to another consumer nor counts deliveries', async () => {
    const q = freshQueue();
    let attempts = 0;
    let othersHandled = 0;
    // reclaimIdleMs 150: without keeping the entry claimed, the idle
    // consumer would reclaim it within a few retries.
    const a = consumer(q, 'a', async () => {
      if (++attempts < 8) throw new DependencyError('database down');
    }, { maxDeliveries: 2 });
    await addUpload(q.queue, q.jobs);
    void a.start();
    await until('the first attempt', () => attempts >= 1, 5000, { intervalMs: 20 });
    const b = consumer(q, 'b', async () => {
      othersHandled++;
    }, { maxDeliveries: 2 });
    void b.start();
    await until('eight attempts', () => attempts === 8, 20_000, { intervalMs: 20 });
    await Promise.all([a.stop(), b.stop()]);
    expect(othersHandled).toBe(0);
    expect(await deadEntries(q.deadKey)).toEqual([]);
    expect(await q.queue.length()).toBe(0);
  }, 30_000);

  test('stop() during an outage cuts the backoff short and leaves the entry pending', async () => {
    const q = freshQueue();
    const { c, attempts } = failingConsumer(q, () => new DependencyError('database down'));
    await addUpload(q.queue, q.jobs);
    void c.start();
    // By the sixth attempt the backoff between attempts has grown to seconds.
    await until('six attempts', () => attempts() === 6, 10_000, { intervalMs: 20 });
    const asked = performance.now();
    await c.stop();
    expect(performance.now() - asked).toBeLessThan(500);
    expect(attempts()).toBe(6);
    const [pending] = (await command(ns.redis, ['XPENDING', q.queue.key, q.queue.group])) as [number];
    expect(Number(pending)).toBe(1);
  });

  test('one reclaim pass follows XAUTOCLAIM\'s cursor and takes every one of a dead consumer\'s 50 entries, not COUNT of them', async () => {
    const q = freshQueue();
    await q.queue.ensureGroup();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add(await addUpload(q.queue, q.jobs));
    expect(await q.queue.readNew(ns.reader, 'dead', 50, 100)).toHaveLength(50);
    await Bun.sleep(200); // idle past reclaimIdleMs
    const seen = new Set<string>();
    // A clock that never moves: the consumer makes exactly one reclaim pass
    // (at start), so everything it reclaims comes from that pass.
    const c = consumer(q, 'survivor', async (m) => void seen.add(m.id), { count: 5, monotonicNow: () => 0 });
    void c.start();
    try {
      await until('all 50 reclaimed and handled', () => seen.size === 50, 10_000, {
        intervalMs: 20,
        explain: () => `${seen.size} handled`,
      });
    } finally {
      await c.stop();
    }
    expect(seen).toEqual(ids);
    expect(await q.queue.length()).toBe(0);
  }, 15_000);

  test('a consumer deletes the group\'s consumers idle past the forget time with nothing pending, and keeps any that hold entries', async () => {
    const q = freshQueue();
    await q.queue.ensureGroup();
    const consumers = async () => ((await command(ns.redis, ['XINFO', 'CONSUMERS', q.queue.key, q.queue.group])) as unknown[])
      .map((c) => String(replyRecord(c).name));
    // 'live' was known to the group and idle too (say, it waited long for work): never itself deleted.
    for (const name of ['restarted-long-ago', 'live']) await command(ns.redis, ['XGROUP', 'CREATECONSUMER', q.queue.key, q.queue.group, name]);
    await addUpload(q.queue, q.jobs);
    await q.queue.readNew(ns.reader, 'stuck-holding', 1, 100);
    await Bun.sleep(150); // both idle past forgetIdleMs
    // reclaimIdleMs far off, so the held entry stays where it is.
    const c = consumer(q, 'live', async () => {}, { reclaimIdleMs: 60_000, forgetIdleMs: 100 });
    void c.start();
    try {
      await until('the idle consumer deleted', async () => !(await consumers()).includes('restarted-long-ago'), 3000, {
        intervalMs: 20,
        explain: async () => (await consumers()).join(', '),
      });
    } finally {
      await c.stop();
    }
    expect((await consumers()).sort()).toEqual(['live', 'stuck-holding']);
    expect(await command(ns.redis, ['XPENDING', q.queue.key, q.queue.group, '-', '+', '10', 'stuck-holding'])).toHaveLength(1);
  });

  test('a restarted consumer first finishes its own pending entries', async () => {
    const q = freshQueue();
    await q.queue.ensureGroup();
    const id = await addUpload(q.queue, q.jobs);
    await q.queue.readNew(ns.reader, 'stable-name', 1, 100); // then "crashes"
    const seen: string[] = [];
    const c = consumer(q, 'stable-name', async (m) => void seen.push(m.id), { reclaimIdleMs: 60_000 });
    void c.start();
    await until('one message handled', () => seen.length === 1, 5000, { intervalMs: 20 });
    await c.stop();
    expect(seen).toEqual([id]);
  });
});
