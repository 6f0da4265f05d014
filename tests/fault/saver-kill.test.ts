import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startLoad } from '../support/load.ts';
import { killWhileHolding } from '../support/kill-holding.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { Probe } from '../support/probe.ts';
import { reportOutcome } from '../support/report.ts';
import { TestSystem } from '../support/system.ts';

let system: TestSystem;
let probe: Probe;

beforeAll(async () => {
  system = await TestSystem.start({ processors: 2, env: { RECLAIM_IDLE_MS: '1500' } });
  probe = await Probe.open(system);
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await system?.stop();
}, 30_000);

test('a saver killed by SIGKILL mid-load and restarted saves every result exactly once', async () => {
  const startedAt = performance.now();
  const load = startLoad(system.baseUrl, { count: 250, concurrency: 4 });
  const orphaned = await killWhileHolding(system, probe, 'saver', 'captioned', () => system.logCount('saver', 'saved') >= 40);
  expect(orphaned.length).toBeGreaterThan(0);

  // Same consumer name: the restarted saver first finishes what it held.
  await system.restart('saver', { sameConsumer: true });
  await load.finished;
  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 60_000 });
  expect(outcome.failed).toBe(0);
  expect(load.refusals).toEqual([]);
  expect(system.service('saver').output.join('')).toContain('resuming own pending entries');
  reportOutcome('saver SIGKILL', load, outcome, startedAt, {
    orphaned: orphaned.length,
    tempFilesSwept: system.logCount('saver', 'removed temporary files left by a killed saver'),
  });
}, 90_000);
