import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { command, text } from '../../shared/redis.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import { pairsToFields } from '../../shared/queue/reply.ts';
import { redisNamespace } from '../support/redis.ts';

let ns: Awaited<ReturnType<typeof redisNamespace>>;
beforeAll(async () => {
  ns = await redisNamespace();
});
afterAll(() => ns.cleanup());

let n = 0;
const fresh = () => new StreamQueue(ns.redis, `${ns.prefix}room${++n}`, 'g');
const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));

describe('appending to a bounded stream on real Redis', () => {
  test('below the limit every command runs, binary values byte-exact', async () => {
    const q = fresh();
    const status = `${q.key}:status`;
    const ran = await q.runIfRoom(10, [
      ['HSET', status, 'status', 'queued'],
      ['XADD', q.key, '*', 'image', bytes, 'description', 'кот'],
    ]);
    expect(ran).toBe(true);
    expect(text(await command(ns.redis, ['HGET', status, 'status']))).toBe('queued');
    const entries = (await command(ns.redis, ['XRANGE', q.key, '-', '+'])) as Array<[Buffer, Buffer[]]>;
    const fields = pairsToFields(entries[0]![1]);
    expect(Buffer.compare(fields.image!, bytes)).toBe(0);
    expect(fields.description!.toString('utf8')).toBe('кот');
  });

  test('at the limit nothing runs and the answer says so', async () => {
    const q = fresh();
    const marker = `${q.key}:marker`;
    for (let i = 0; i < 3; i++) expect(await q.runIfRoom(3, [['XADD', q.key, '*', 'i', String(i)]])).toBe(true);
    expect(await q.runIfRoom(3, [['SET', marker, '1'], ['XADD', q.key, '*', 'i', 'x']])).toBe(false);
    expect(await q.length()).toBe(3);
    expect(await command(ns.redis, ['EXISTS', marker])).toBe(0);
  });

  test('many appends at once never overshoot the limit', async () => {
    const q = fresh();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => q.runIfRoom(20, [['XADD', q.key, '*', 'i', String(i)]])));
    expect(results.filter(Boolean).length).toBe(20);
    expect(await q.length()).toBe(20);
  });

  test('still works after Redis forgets its scripts, as after a restart', async () => {
    const q = fresh();
    expect(await q.runIfRoom(5, [['XADD', q.key, '*', 'i', '1']])).toBe(true);
    await command(ns.redis, ['SCRIPT', 'FLUSH']);
    expect(await q.runIfRoom(5, [['XADD', q.key, '*', 'i', '2']])).toBe(true);
    expect(await q.length()).toBe(2);
  });
});
