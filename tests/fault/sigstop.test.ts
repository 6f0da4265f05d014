import { afterAll, beforeAll, expect, test } from 'bun:test';
import { expectCountedOnce } from '../support/done-once.ts';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { StatusWatch } from '../support/status-watch.ts';
import { useSystem } from '../support/use-system.ts';
import { until } from '../support/wait.ts';

const RECLAIM_IDLE_MS = 1000;
// Longer than the reclaim time, so the others take what the stopped one holds.
const STOP_MS = 2500;
const ctx = useSystem({ processors: 2, savers: 2, env: { RECLAIM_IDLE_MS: String(RECLAIM_IDLE_MS) } });
let events: StatusWatch;
beforeAll(async () => {
  events = await StatusWatch.open(ctx.system);
});
afterAll(() => events?.close());

/**
 * SIGSTOPs `name` while it holds unacknowledged entries, for STOP_MS, then
 * SIGCONTs it; answers what it held. An entry can be acknowledged between the
 * look and the stop; then the stop proved nothing and is tried again.
 */
async function freezeWhileHolding(name: string, stream: 'uploads' | 'captioned', ready: () => boolean): Promise<number> {
  const { system, probe } = ctx;
  const { proc, consumer } = system.service(name);
  for (let attempt = 1; ; attempt++) {
    await until(`${name} holding ${stream} entries`, async () => ready() && (await probe.pending(stream, consumer)).length > 0, 30_000, { intervalMs: 5 });
    proc.kill('SIGSTOP');
    const held = (await probe.pending(stream, consumer)).length;
    if (held === 0 && attempt < 10) {
      proc.kill('SIGCONT');
      continue;
    }
    await Bun.sleep(STOP_MS);
    proc.kill('SIGCONT');
    return held;
  }
}

test('a processor and a saver stopped (SIGSTOP) past the reclaim time under load: their entries are reclaimed, their late hand-overs refused, nothing done twice', async () => {
  const { system, probe } = ctx;
  const startedAt = performance.now();
  const load = startLoad(system.baseUrl, { count: 240, concurrency: 4, perSecond: 30 });
  const heldUploads = await freezeWhileHolding('processor-1', 'uploads', () => load.accepted.size >= 40);
  const heldCaptioned = await freezeWhileHolding('saver', 'captioned', () => load.accepted.size >= 130);
  await load.finished;
  const outcome = await expectNothingLost(system, load.accepted, { timeoutMs: 60_000 });
  expect(outcome.failed).toBe(0);
  expect(load.refusals).toEqual([]);
  expect(system.allAlive()).toBe(true);
  // A late hand-over would land after the others finished; give it the time to.
  await Bun.sleep(RECLAIM_IDLE_MS);
  expect(events.regressions()).toEqual({});
  await expectCountedOnce(probe, load.accepted.size, outcome.done);
  const logged = (names: string[], msg: string) => names.reduce((n, name) => n + system.logCount(name, msg), 0);
  expect({
    handedOver: logged(['processor-1', 'processor-2'], 'captioned'),
    saved: logged(['saver', 'saver-2'], 'saved'),
  }).toEqual({ handedOver: load.accepted.size, saved: load.accepted.size });
  reportOutcome('processor + saver SIGSTOP', load, outcome, startedAt, {
    heldUploads,
    heldCaptioned,
    handOversRefused: logged(['processor-1', 'processor-2', 'saver', 'saver-2'], 'hand-over refused: the entry was reclaimed by another consumer'),
  });
}, 120_000);
