import { expect, test } from 'bun:test';
import { killWhileHolding } from '../support/kill-holding.ts';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { useSystem } from '../support/use-system.ts';

const ctx = useSystem({ processors: 2, env: { RECLAIM_IDLE_MS: '1500' } });

test('a saver killed by SIGKILL mid-load and restarted saves every result exactly once', async () => {
  const { system, probe } = ctx;
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
