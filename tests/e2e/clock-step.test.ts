import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { JobStore } from '../../shared/jobs.ts';
import { toFields } from '../../shared/messages.ts';
import { GROUPS } from '../../shared/queue/keys.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { Probe } from '../support/probe.ts';
import { TestSystem } from '../support/system.ts';

let system: TestSystem;
let probe: Probe;
let clock: FakeClock;

beforeAll(async () => {
  clock = await FakeClock.create('+0s');
  // No processor yet: the one under test is started below, on the steppable clock.
  system = await TestSystem.start({ processors: 0, clocks: { processor: clock } });
  probe = await Probe.open(system);
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await system?.stop();
  await clock?.remove();
}, 30_000);

describe('a processor whose wall clock is stepped back', () => {
  test('still reclaims a dead consumer\'s entry once it has been idle RECLAIM_IDLE_MS', async () => {
    system.spawn('processor', 'processor-1');
    await system.waitForLog('processor-1', 'processor started', 20_000);
    // The processor has made its first reclaim pass on the real clock; now NTP steps it back 10 minutes.
    await clock.step('-10m');
    await Bun.sleep(1500); // libfaketime re-reads the offset once a second

    // A consumer takes an upload and dies holding it: the read is in the same MULTI as the
    // append, so the live processor (blocked on the stream) cannot get the entry first.
    const id = Bun.randomUUIDv7();
    const received_at = new Date().toISOString();
    const image = new Uint8Array(await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer());
    const jobs = new JobStore(probe.redis, probe.k, 3600);
    const tx = probe.redis.multi();
    for (const c of jobs.commands(id, 'queued', { received_at })) tx.addCommand(c as never);
    tx.addCommand(['XADD', probe.k.uploads, '*', ...toFields({ id, description: 'held by the dead', received_at, image })] as never);
    tx.addCommand(['XREADGROUP', 'GROUP', GROUPS.processors, 'ghost', 'COUNT', '1', 'STREAMS', probe.k.uploads, '>'] as never);
    await tx.exec();
    expect(await probe.pending('uploads', 'ghost')).toHaveLength(1);

    // RECLAIM_IDLE_MS is 2 s here: well within the wait, and far short of the 10 minutes the clock went back.
    expect((await system.waitForJob(id, 30_000)).status).toBe('done');
    expect(system.logCount('processor-1', 'reclaimed stale entries')).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
