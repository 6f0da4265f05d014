import { afterAll, beforeAll, expect, test } from 'bun:test';
import { formOf } from '../support/multipart.ts';
import { expectCountedOnce } from '../support/done-once.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { StatusWatch } from '../support/status-watch.ts';
import { useSystem } from '../support/use-system.ts';

// A genuinely heavy pipeline: a 1920x1280 photo through 19 wide blurs takes
// seconds, many times the reclaim time, so the other processor would take it
// over mid-work unless the one holding it keeps renewing its claim.
const COFFEE = await Bun.file(new URL('../fixtures/coffee-1920x1280.jpg', import.meta.url)).bytes();
const HEAVY = JSON.stringify([...Array.from({ length: 19 }, () => ({ op: 'blur', sigma: 40 })), { op: 'format', type: 'jpeg' }]);
const JOBS = 2;

const ctx = useSystem({ processors: 2, env: { RECLAIM_IDLE_MS: '300' } });
let events: StatusWatch;
beforeAll(async () => {
  events = await StatusWatch.open(ctx.system);
});
afterAll(() => events?.close());

test('a job slower than the reclaim time, with two processors, is produced once: one row, one file, one done, statuses only forward', async () => {
  const { system, probe } = ctx;
  const accepted = new Map<string, string>();
  for (let i = 0; i < JOBS; i++) {
    const description = `slow #${i}`;
    const form = formOf([['image', new Blob([COFFEE], { type: 'image/jpeg' })], ['description', description], ['operations', HEAVY]]);
    const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    accepted.set(((await res.json()) as { id: string }).id, description);
  }
  const outcome = await expectNothingLost(system, accepted, { timeoutMs: 90_000 });
  expect(outcome.done).toBe(JOBS);
  // A late second hand-over would land after done; give it the time to.
  await Bun.sleep(3000);
  expect(events.regressions()).toEqual({});
  for (const id of accepted.keys()) expect(events.history.get(id)?.filter((s) => s === 'done')).toEqual(['done']);
  await expectCountedOnce(probe, JOBS, JOBS);
  await expectNothingLost(system, accepted, { timeoutMs: 10_000 });
}, 150_000);
