import { afterAll, beforeAll, expect, test } from 'bun:test';
import { command } from '../../shared/redis.ts';
import { startLoad } from '../support/load.ts';
import { TEST_PG_ADMIN_URL } from '../support/namespace.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { Probe } from '../support/probe.ts';
import { reportOutcome } from '../support/report.ts';
import { TestSystem } from '../support/system.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { until } from '../support/wait.ts';

const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
// Stream 2's own limit is a quarter of it (shared/queue/stream-bytes.ts captionedLimit).
const CAPTIONED_LIMIT = MAX_QUEUED_BYTES / 4;
// A 640x480 result with its caption band is under 120 KB; charged at 5/4 plus 128 bytes.
const ONE_RESULT = 160_000;

let proxy: TcpProxy;
let system: TestSystem;
let probe: Probe;

beforeAll(async () => {
  const pg = new URL(TEST_PG_ADMIN_URL);
  proxy = await TcpProxy.start({ host: pg.hostname, port: Number(pg.port || 5432) });
  system = await TestSystem.start({
    processors: 1,
    pgPort: proxy.port,
    // The length limit far away: only bytes may refuse here. Uploads of 1 MiB at most, so 8 MiB is a valid bound.
    env: { REDIS_MAX_QUEUED_BYTES: String(MAX_QUEUED_BYTES), QUEUE_MAX_LENGTH: '100000', MAX_UPLOAD_BYTES: String(1024 * 1024) },
  });
  probe = await Probe.open(system);
}, 60_000);

afterAll(async () => {
  await proxy?.restore();
  await probe?.close();
  await system?.stop();
  await proxy?.close();
}, 30_000);

/** What the three streams take in Redis, measured (every node, not sampled), and stream 2's own. */
async function streamMemory(): Promise<{ total: number; captioned: number }> {
  const { k } = probe;
  const [uploads, captioned, dead] = await Promise.all(
    [k.uploads, k.captioned, k.dead].map(async (key) => Number((await command(probe.redis, ['MEMORY', 'USAGE', key, 'SAMPLES', '0'])) ?? 0)),
  );
  return { total: uploads! + captioned! + dead!, captioned: captioned! };
}

test('a PostgreSQL outage under sustained upload keeps the streams under REDIS_MAX_QUEUED_BYTES: 503 queue_full with Retry-After once it is reached, processors hold, and everything accepted ends done', async () => {
  const startedAt = performance.now();
  // About 2.5 MB/s of photos: the bound is reached a few seconds into the outage.
  const load = startLoad(system.baseUrl, { count: 2000, perSecond: 40, concurrency: 4 });
  await until('the load under way', () => load.accepted.size >= 20 && system.logCount('saver', 'saved') >= 10, 20_000);
  await proxy.cut();
  const samples: Array<{ total: number; captioned: number }> = [];
  let fullSince: number | undefined;
  // Until the bound has refused uploads for 3 s (or 40 s at most): long past the moment it was reached.
  const cutAt = performance.now();
  while (performance.now() - cutAt < 40_000 && (fullSince === undefined || performance.now() - fullSince < 3_000)) {
    samples.push(await streamMemory());
    if (fullSince === undefined && load.refusals.some((r) => r.code === 'queue_full')) fullSince = performance.now();
    await Bun.sleep(100);
  }
  const holds = system.logCount('processor-1', 'holding: the next stream is full; reading nothing until it drains');
  await proxy.restore();
  load.stop();
  await load.finished;

  expect(fullSince).toBeDefined();
  const largest = Math.max(...samples.map((s) => s.total));
  expect(largest).toBeLessThanOrEqual(MAX_QUEUED_BYTES);
  expect(Math.max(...samples.map((s) => s.captioned))).toBeLessThanOrEqual(CAPTIONED_LIMIT + ONE_RESULT);
  expect(load.refusals.filter((r) => r.status !== 503 || r.code !== 'queue_full')).toEqual([]);
  expect(load.refusals.filter((r) => !(Number(r.retryAfter) > 0))).toEqual([]);
  // Backpressure, not failure: the processor held, and no delivery was counted for it.
  expect(holds).toBeGreaterThanOrEqual(1);
  expect(system.logCount('processor-1', 'handling failed; retrying the entry after a backoff')).toBe(0);

  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 90_000 });
  expect(outcome.failed).toBe(0);
  reportOutcome('PostgreSQL outage against REDIS_MAX_QUEUED_BYTES 8 MiB', load, outcome, startedAt, {
    largestStreamBytes: largest,
    refused: load.refusals.length,
  });
}, 180_000);
