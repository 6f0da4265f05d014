import { expect, test } from 'bun:test';
import { killWhileHolding } from '../support/kill-holding.ts';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { useSystem } from '../support/use-system.ts';

// A short reclaim time, so the survivor takes the dead one's entries within the test.
const ctx = useSystem({ processors: 2, env: { RECLAIM_IDLE_MS: '1500' } });

test('a processor killed by SIGKILL while holding unacknowledged uploads loses none: the other processor reclaims them', async () => {
  const { system, probe } = ctx;
  const startedAt = performance.now();
  const load = startLoad(system.baseUrl, { count: 250, concurrency: 4 });
  // What it held stays pending under its name: it was never acknowledged.
  const orphaned = await killWhileHolding(system, probe, 'processor-1', 'uploads', () => load.accepted.size >= 60);
  expect(orphaned.length).toBeGreaterThan(0);
  expect(system.service('processor-1').proc.signalCode).toBe('SIGKILL');

  await load.finished;
  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 60_000 });
  expect(outcome.failed).toBe(0);
  expect(load.refusals).toEqual([]);
  expect(system.logCount('processor-2', 'reclaimed stale entries')).toBeGreaterThan(0);
  reportOutcome('processor SIGKILL', load, outcome, startedAt, { orphaned: orphaned.length });
}, 90_000);
