import { expect, test } from 'bun:test';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { useSystem } from '../support/use-system.ts';

const PROCESSORS = ['processor-1', 'processor-2'];
const SAVERS = ['saver', 'saver-2'];

// The production reclaim time: nobody stalls for 30 s here, so any entry
// handled twice would be a bug in sharing, not a legitimate reclaim.
const ctx = useSystem({ processors: 2, savers: 2, env: { RECLAIM_IDLE_MS: '30000' } });

test('two processors and two savers share the work: each does some, none is done twice, one row and one file per id', async () => {
  const { system } = ctx;
  const startedAt = performance.now();
  const load = startLoad(system.baseUrl, { count: 250, concurrency: 4 });
  await load.finished;
  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 60_000 });
  expect(outcome.failed).toBe(0);
  expect(load.refusals).toEqual([]);

  const captioned = Object.fromEntries(PROCESSORS.map((name) => [name, system.logCount(name, 'captioned')]));
  const saved = Object.fromEntries(SAVERS.map((name) => [name, system.logCount(name, 'saved')]));
  for (const count of [...Object.values(captioned), ...Object.values(saved)]) expect(count).toBeGreaterThan(0);
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  expect(sum(captioned)).toBe(load.accepted.size);
  expect(sum(saved)).toBe(load.accepted.size);
  reportOutcome('2 processors + 2 savers', load, outcome, startedAt, { captioned, saved });
}, 90_000);
