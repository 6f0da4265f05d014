import { afterAll, beforeAll, describe, expect, setSystemTime, test } from 'bun:test';
import { readStats } from '../../api/admin/stats-snapshot.ts';
import { GROUPS } from '../../shared/queue/keys.ts';
import { command, type Redis } from '../../shared/redis.ts';
import { hostname } from 'node:os';
import { ConsumerNameInUseError } from '../../shared/errors.ts';
import { assertConsumerNameFree, startHeartbeat } from '../../shared/stats/heartbeat.ts';
import { rejectionOf } from '../support/rejection.ts';
import { statsKeys } from '../../shared/stats/layout.ts';
import { WorkerStats, WORKER_TTL_SECONDS } from '../../shared/stats/worker-stats.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';

let ns: Awaited<ReturnType<typeof redisNamespace>>;

beforeAll(async () => {
  ns = await redisNamespace();
});

afterAll(async () => {
  await ns?.cleanup();
});

async function run(redis: Redis, commands: Array<Array<string | Buffer>>): Promise<void> {
  const tx = redis.multi();
  for (const c of commands) tx.addCommand(c as never);
  await tx.exec();
}

describe('worker statistics in Redis', () => {
  test('a heartbeat publishes the worker with a TTL, and the snapshot lists it with the jobs it counted', async () => {
    const beat = startHeartbeat(ns.redis, ns.k, { kind: 'saver', consumer: 'saver-a' }, silentLog, 50);
    await Bun.sleep(120);
    await beat.stop();
    const ttl = Number(await command(ns.redis, ['TTL', ns.k.worker('saver-a')]));
    expect(ttl).toBeGreaterThan(WORKER_TTL_SECONDS - 3);
    expect(ttl).toBeLessThanOrEqual(WORKER_TTL_SECONDS);

    const stats = new WorkerStats(ns.k, 'saver-a');
    const now = Date.now();
    await run(ns.redis, [...stats.handled('save', 12), ...stats.done(new Date(now - 250).toISOString(), now)]);
    await run(ns.redis, [...stats.handled('save', 30), ...stats.done(new Date(now - 400).toISOString(), now)]);
    await run(ns.redis, stats.failed('image_undecodable', now));

    const snapshot = await readStats(ns.redis, ns.k, now);
    const worker = snapshot.workers.find((w) => w.consumer === 'saver-a')!;
    expect(worker).toMatchObject({ kind: 'saver', pid: process.pid, jobs_done: 2, jobs_failed: 1 });
    expect(Date.parse(worker.last_heartbeat)).toBeGreaterThan(now - 5000);
    expect(snapshot.totals).toEqual({ done: 2, failed: 1 });
    expect(snapshot.errors).toEqual({ image_undecodable: 1 });
    expect(snapshot.throughput.done.at(-1)).toBe(2);
    expect(snapshot.throughput.failed.at(-1)).toBe(1);
    expect(snapshot.throughput.done).toHaveLength(300);
    expect(snapshot.latency.save).toEqual({ p50: 12, p95: 30, p99: 30, samples: 2 });
    expect(snapshot.latency.total).toEqual({ p50: 250, p95: 400, p99: 400, samples: 2 });
    expect(snapshot.latency.render).toEqual({ p50: null, p95: null, p99: null, samples: 0 });
  });

  test('stage durations land in fixed histogram buckets with their sum and count', async () => {
    const stats = new WorkerStats(ns.k, 'processor-h');
    await run(ns.redis, [...stats.handled('render', 7), ...stats.handled('render', 7.5), ...stats.handled('render', 99_000)]);
    const raw = (await command(ns.redis, ['HGETALL', statsKeys(ns.k.stats).histogram('render')])) as Record<string, Buffer>;
    const h = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(String(v))]));
    expect(h).toEqual({ '10': 2, '+Inf': 1, count: 3, sum: 99_014.5 });
  });

  test('a worker whose heartbeat expired is no longer listed', async () => {
    await command(ns.redis, ['ZADD', ns.k.workers, String(Date.now()), 'gone']);
    const snapshot = await readStats(ns.redis, ns.k);
    expect(snapshot.workers.map((w) => w.consumer)).not.toContain('gone');
  });

  test('a consumer group counts only consumers with a live heartbeat; the rest are reported as idle', async () => {
    await command(ns.redis, ['XGROUP', 'CREATE', ns.k.uploads, GROUPS.processors, '0', 'MKSTREAM']);
    for (const name of ['processor-live', 'processor-restarted-before']) {
      await command(ns.redis, ['XGROUP', 'CREATECONSUMER', ns.k.uploads, GROUPS.processors, name]);
    }
    const beat = startHeartbeat(ns.redis, ns.k, { kind: 'processor', consumer: 'processor-live' }, silentLog, 50);
    await beat.stop();
    const snapshot = await readStats(ns.redis, ns.k);
    const uploads = snapshot.streams.find((s) => s.name === 'uploads')!;
    expect(uploads.groups).toEqual([{ name: GROUPS.processors, pending: 0, consumers: 1, idle_consumers: 1 }]);
    expect(snapshot.workers.map((w) => w.consumer)).toContain('processor-live');
  });

  test('a worker whose clock is 25 h ahead keeps its heartbeat without dropping the other live workers from the index', async () => {
    const other = startHeartbeat(ns.redis, ns.k, { kind: 'processor', consumer: 'on-time' }, silentLog, 50);
    await other.stop();
    setSystemTime(new Date(Date.now() + 25 * 3_600_000));
    try {
      const ahead = startHeartbeat(ns.redis, ns.k, { kind: 'saver', consumer: 'ahead' }, silentLog, 50);
      await ahead.stop();
    } finally {
      setSystemTime();
    }
    const indexed = ((await command(ns.redis, ['ZRANGE', ns.k.workers, '0', '-1'])) as Buffer[]).map(String);
    expect(indexed).toContain('on-time');
    expect(indexed).toContain('ahead');
    expect((await readStats(ns.redis, ns.k)).workers.map((w) => w.consumer)).toEqual(expect.arrayContaining(['on-time', 'ahead']));
  });

  describe('a consumer name held by a live worker', () => {
    /** The heartbeat hash of a worker `who` last heard `agoMs` ago (on Redis's clock). */
    async function heartbeatOf(consumer: string, who: { host: string; pid: number }, agoMs = 0) {
      await command(ns.redis, ['HSET', ns.k.worker(consumer), 'kind', 'processor', 'host', who.host, 'pid', String(who.pid)]);
      await command(ns.redis, ['PEXPIRE', ns.k.worker(consumer), String(WORKER_TTL_SECONDS * 1000 - agoMs)]);
    }

    test('is refused to a second worker on the same host while the first one\'s process lives', async () => {
      const other = Bun.spawn(['sleep', '30']);
      try {
        await heartbeatOf('twin', { host: hostname(), pid: other.pid });
        const err = await rejectionOf(assertConsumerNameFree(ns.redis, ns.k, 'twin'), ConsumerNameInUseError);
        expect(err.message).toContain(`pid ${other.pid}`);
      } finally {
        other.kill();
      }
    });

    test('is taken over at once when that worker\'s process has died (a restart under the same slot name)', async () => {
      const gone = Bun.spawn(['true']);
      await gone.exited;
      await heartbeatOf('slot-1', { host: hostname(), pid: gone.pid });
      await assertConsumerNameFree(ns.redis, ns.k, 'slot-1');
    });

    test('is refused while a worker on another host beats, and free once it has been silent a few seconds', async () => {
      await heartbeatOf('shared', { host: 'elsewhere', pid: 1 });
      await rejectionOf(assertConsumerNameFree(ns.redis, ns.k, 'shared'), ConsumerNameInUseError);
      await heartbeatOf('shared', { host: 'elsewhere', pid: 1 }, 10_000);
      await assertConsumerNameFree(ns.redis, ns.k, 'shared');
    });
  });

  test('latency samples are bounded to the most recent 1000 per stage', async () => {
    const stats = new WorkerStats(ns.k, 'processor-b');
    const commands = Array.from({ length: 1010 }, (_, i) => stats.handled('render', i)).flat();
    await run(ns.redis, commands);
    expect(Number(await command(ns.redis, ['LLEN', statsKeys(ns.k.stats).samples('render')]))).toBe(1000);
  });
});
