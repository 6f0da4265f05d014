import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { RedisServer } from '../support/redis-server.ts';
import { reportOutcome } from '../support/report.ts';
import { TestSystem } from '../support/system.ts';

// Small enough that a burst of uploads outruns one processor and reaches the
// admission limit (80 % of it) within a few hundred uploads of ~65 KB.
const MAXMEMORY = '16mb';

let redis: RedisServer;
let system: TestSystem;

beforeAll(async () => {
  redis = await RedisServer.start(['--maxmemory', MAXMEMORY, '--maxmemory-policy', 'noeviction']);
  system = await TestSystem.start({
    processors: 1,
    // The length limit far away: only memory may refuse here.
    env: { REDIS_URL: redis.url, QUEUE_MAX_LENGTH: '100000' },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await redis?.destroy();
}, 30_000);

test(`sustained uploads into a ${MAXMEMORY} noeviction Redis: the API answers 503 queue_full (never 500) near maxmemory, and everything accepted ends done`, async () => {
  const startedAt = performance.now();
  const load = startLoad(system.baseUrl, { count: 600, concurrency: 8 });
  await load.finished;
  const refused = load.refusals.map((r) => `${r.status} ${r.code}`);
  // The limit was reached, or this proved nothing.
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.filter((r) => r !== '503 queue_full')).toEqual([]);
  expect(load.refusals.filter((r) => !(Number(r.retryAfter) > 0))).toEqual([]);
  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 90_000 });
  expect(outcome.failed).toBe(0);
  // No worker ever saw Redis refuse a write for lack of memory.
  for (const name of ['processor-1', 'saver']) {
    expect(system.logCount(name, 'dependency unavailable; retrying the same entry')).toBe(0);
  }
  reportOutcome(`Redis maxmemory ${MAXMEMORY}`, load, outcome, startedAt, {});
}, 150_000);
