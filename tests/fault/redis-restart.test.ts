import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startLoad, type Refusal } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { Probe } from '../support/probe.ts';
import { RedisServer } from '../support/redis-server.ts';
import { reportOutcome } from '../support/report.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

const DOWN_MS = 3_000;
const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer();

let redis: RedisServer;
let system: TestSystem;

beforeAll(async () => {
  redis = await RedisServer.start();
  system = await TestSystem.start({ processors: 1, env: { REDIS_URL: redis.url, RECLAIM_IDLE_MS: '2000' } });
}, 60_000);

afterAll(async () => {
  // The system's cleanup deletes its keys, so Redis must be up for it.
  await redis?.launch().catch(() => {});
  await system?.stop();
  await redis?.destroy();
}, 30_000);

async function postOne(): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob([CAT], { type: 'image/jpeg' }), 'cat.jpg');
  form.append('description', 'while Redis is down');
  return fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
}

test('Redis restarted mid-load with persistence: queued entries survive, services reconnect by themselves, uploads meanwhile get 503', async () => {
  const startedAt = performance.now();
  // A burst faster than one processor captions, so a backlog is queued when
  // Redis goes; then a steady pace that spans the outage and the recovery.
  const load = startLoad(system.baseUrl, { count: 280, burst: 130, perSecond: 25, concurrency: 4 });
  const probe = await Probe.open(system);
  let queuedAtShutdown = 0;
  await until(
    'a backlog of uploads queued in Redis',
    async () => {
      queuedAtShutdown = (await probe.queues()).uploads;
      return load.accepted.size >= 100 && queuedAtShutdown >= 20;
    },
    30_000,
  );
  await probe.close();

  await redis.shutdown();
  const downAt = performance.now();
  // Once the API has seen Redis go (readiness fails), an upload must be
  // refused as redis_unavailable. Sent before that, it may meet a socket the
  // client does not yet know is dead, and outcome_unknown is then the honest
  // answer, which the load's refusals below allow.
  await until('the API to notice that Redis is gone', async () => (await fetch(`${system.baseUrl}/readyz`)).status === 503, 5_000);
  const whileDown = await postOne();
  const whileDownBody = (await whileDown.json()) as { error: { code: string } };
  await Bun.sleep(Math.max(0, DOWN_MS - (performance.now() - downAt))); // the outage itself: nothing to wait for
  await redis.launch();
  const upAt = performance.now();
  await system.waitUntilReady(20_000);
  const apiBackMs = performance.now() - upAt;

  expect(whileDown.status).toBe(503);
  expect(whileDownBody.error.code).toBe('redis_unavailable');
  expect(Number(whileDown.headers.get('retry-after'))).toBeGreaterThan(0);

  await load.finished;
  // `outcome_unknown`: Redis closed the connection with the upload's MULTI in
  // flight; the answer carries the id so the client can find out.
  const refusedWell = (r: Refusal) => r.status === 503 && ['redis_unavailable', 'outcome_unknown'].includes(r.code) && Number(r.retryAfter) > 0;
  expect(load.refusals.filter((r) => !refusedWell(r))).toEqual([]);
  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 60_000, uncertain: load.uncertain });
  const settledAt = performance.now();
  expect(outcome.failed).toBe(0);
  // Nobody was restarted: every service reconnected on its own.
  expect(system.services.every((s) => s.proc.exitCode === null && s.proc.signalCode === null)).toBe(true);
  reportOutcome('Redis restart', load, outcome, startedAt, {
    queuedAtShutdown,
    downMs: DOWN_MS,
    apiBackMs: Math.round(apiBackMs),
    settledAfterUpMs: Math.round(settledAt - upAt),
  });
}, 90_000);
