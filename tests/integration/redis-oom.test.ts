import { afterAll, beforeAll, expect, test } from 'bun:test';
import { JobStore } from '../../shared/jobs.ts';
import { keys } from '../../shared/queue/keys.ts';
import { toFields, uploadCodec, type UploadMessage } from '../../shared/messages.ts';
import { StreamConsumer } from '../../shared/queue/consumer.ts';
import { failJobCommands } from '../../shared/queue/fail-job.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import { command, connectRedis, type Redis } from '../../shared/redis.ts';
import { RedisServer } from '../support/redis-server.ts';
import { silentLog } from '../support/redis.ts';
import { until } from '../support/wait.ts';

let server: RedisServer;
let redis: Redis;
let reader: Redis;
beforeAll(async () => {
  server = await RedisServer.start(['--maxmemory', '64mb', '--maxmemory-policy', 'noeviction']);
  [redis, reader] = await Promise.all([connectRedis(server.url, silentLog), connectRedis(server.url, silentLog)]);
}, 30_000);
afterAll(async () => {
  await Promise.allSettled([redis?.close(), reader?.close()]);
  await server?.destroy();
});

/**
 * Puts Redis past its maxmemory, well past, so that no buffer it frees by
 * itself lets a write through meanwhile; answers how to give the memory back.
 */
async function fill(): Promise<() => Promise<void>> {
  await command(redis, ['SET', 'filler', Buffer.alloc(2 * 1024 * 1024, 1)]);
  await command(redis, ['CONFIG', 'SET', 'maxmemory', '1mb']);
  return async () => {
    await command(redis, ['CONFIG', 'SET', 'maxmemory', '64mb']);
    await command(redis, ['DEL', 'filler']);
  };
}

test('a worker whose hand-over Redis refuses for lack of memory retries it in place, counts no delivery, and finishes once memory is freed', async () => {
  const k = keys('oom:');
  const queue = new StreamQueue(redis, k.uploads, 'g');
  const jobs = new JobStore(redis, k, 3600);
  await queue.ensureGroup();
  const id = Bun.randomUUIDv7();
  await jobs.set(id, 'queued');
  await command(redis, ['XADD', queue.key, '*', ...toFields({ id, description: 'x', received_at: new Date().toISOString(), image: new Uint8Array([1, 2, 3]) })]);
  const free = await fill();
  let attempts = 0;
  const consumer = new StreamConsumer<UploadMessage>({
    queue,
    reader,
    consumer: 'c',
    log: silentLog,
    decode: uploadCodec.decode,
    // A hand-over as the processor's: the next stream's XADD, the ack and the status in one MULTI.
    handle: async (m, entry) => {
      attempts++;
      const tx = redis.multi();
      tx.addCommand(['XADD', k.captioned, '*', 'id', m.id] as never);
      for (const c of [...queue.ackCommands(entry.id), ...jobs.commands(m.id, 'saving')]) tx.addCommand(c as never);
      await tx.exec();
    },
    onDeadLetter: (jobId, error) => failJobCommands(jobs, jobId, error),
    deadKey: k.dead,
    maxDeliveries: 2,
    reclaimIdleMs: 60_000,
    blockMs: 50,
  });
  void consumer.start();
  await until('several refused hand-overs', () => attempts >= 4, 15_000, { intervalMs: 20 });
  expect((await jobs.get(id))?.status).toBe('queued');
  await free();
  await until('the job handed over', async () => (await jobs.get(id))?.status === 'saving', 15_000, { intervalMs: 20 });
  await consumer.stop();
  expect(Number(await command(redis, ['XLEN', k.dead]))).toBe(0);
  expect(Number(await command(redis, ['XLEN', k.captioned]))).toBe(1);
}, 40_000);
