import { afterAll, beforeAll, expect, test } from 'bun:test';
import { command, type Redis } from '../../shared/redis.ts';
import { redisNamespace } from '../support/redis.ts';

let redis: Redis;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ redis, cleanup } = await redisNamespace());
});
afterAll(async () => {
  await cleanup?.();
});

/** A payload that counts how often it is turned into a string. */
function countingPayload(): { payload: Buffer; stringified: () => number } {
  const payload = Buffer.alloc(64 * 1024, 7);
  let count = 0;
  const toString = payload.toString.bind(payload);
  payload.toString = ((...args: Parameters<Buffer['toString']>) => {
    count++;
    return toString(...args);
  }) as Buffer['toString'];
  return { payload, stringified: () => count };
}

test('a script given image bytes sends them as they are, never turning them into a string for a trace nobody reads', async () => {
  const { payload, stringified } = countingPayload();
  expect(await command(redis, ['EVAL', 'return string.len(ARGV[1])', '0', payload])).toBe(payload.length);
  const tx = redis.multi();
  tx.addCommand(['EVAL', 'return 1', '0', payload] as never);
  await tx.exec();
  expect(stringified()).toBe(0);
});
