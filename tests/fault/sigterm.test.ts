import { describe, expect, test } from 'bun:test';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { useSystem } from '../support/use-system.ts';
import { until } from '../support/wait.ts';

const SHUTDOWN_TIMEOUT_MS = 5_000;
// Process exit and the last log writes, on a loaded 2-core machine.
const EXIT_MARGIN_MS = 1_000;

const ctx = useSystem({ processors: 2, env: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), RECLAIM_IDLE_MS: '2000' } });
// Every test's uploads: the stored results must match all of them, not just the latest test's.
const accepted = new Map<string, string>();

describe('SIGTERM under load: the service exits 0 within SHUTDOWN_TIMEOUT_MS, and after a restart nothing is lost', () => {
  test.each([
    { name: 'api', busy: () => true },
    { name: 'processor-1', busy: () => ctx.system.logCount('processor-1', 'captioned') >= 20 },
    { name: 'saver', busy: () => ctx.system.logCount('saver', 'saved') >= 20 },
  ])('$name', async ({ name, busy }) => {
    const { system } = ctx;
    const startedAt = performance.now();
    const load = startLoad(system.baseUrl, { count: 200, burst: 100, perSecond: 40, concurrency: 4 });
    await until(`${name} busy mid-load`, () => load.accepted.size >= 60 && busy(), 30_000);

    const { exitCode, ms } = await system.signal(name, 'SIGTERM');
    expect({ exitCode, inTime: ms <= SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS }).toEqual({ exitCode: 0, inTime: true });
    expect(system.service(name).output.join('')).not.toContain('shutdown deadline passed');

    await system.restart(name, { sameConsumer: true });
    await load.finished;
    for (const [id, description] of load.accepted) accepted.set(id, description);
    // While the API restarts its port is closed: those uploads were refused, never half-accepted.
    expect(load.refusals.filter((r) => r.status !== 'network')).toEqual([]);
    if (name !== 'api') expect(load.refusals).toEqual([]);
    const outcome = await expectNothingLost(system, accepted, { timeoutMs: 60_000 });
    expect(outcome.failed).toBe(0);
    reportOutcome(`SIGTERM ${name}`, load, outcome, startedAt, { exitMs: Math.round(ms), exitCode });
  }, 90_000);
});
