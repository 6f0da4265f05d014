import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { FakeClock } from '../support/fake-clock.ts';
import { readSse } from '../support/sse.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

// The saver's wall clock runs 25 h ahead of the database's (and of the api's)
// and 2 s behind the processor's: status events written by the two workers
// interleave out of wall-clock order, and the saver's idea of "now" is a day
// past every row's saved_at. Nothing may depend on those clocks agreeing.
const SAVER_AHEAD = '+25h';
const PROCESSOR_AHEAD = `+${25 * 3600 + 2}s`;
const JOBS = 20;

let system: TestSystem;
const clocks: FakeClock[] = [];

beforeAll(async () => {
  const saver = await FakeClock.create(SAVER_AHEAD);
  const processor = await FakeClock.create(PROCESSOR_AHEAD);
  clocks.push(saver, processor);
  system = await TestSystem.start({
    clocks: { saver, processor },
    env: { IMAGE_TTL_SECONDS: '86400', SWEEP_INTERVAL_MS: '200' },
  });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  for (const c of clocks) await c.remove();
}, 30_000);

async function upload(i: number): Promise<string> {
  const form = new FormData();
  const image = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer();
  form.append('image', new Blob([image], { type: 'image/jpeg' }), 'cat.jpg');
  form.append('description', `skewed ${i}`);
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe('services whose clocks disagree', () => {
  const ids: string[] = [];

  test('every status stream of 20 jobs receives done, with versions that only go up, when the saver\'s clock is behind the processor\'s', async () => {
    const streams = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const id = await upload(i);
        ids.push(id);
        // A stream still open when the timeout aborts it never received done.
        return readSse(`${system.baseUrl}/api/images/${id}/events`, 30_000).then(
          ({ events }) => events.map((e) => e.data as { status: string; version: number }),
          () => [{ status: 'stream never ended', version: 0 }],
        );
      }),
    );
    expect(streams.map((events) => events.at(-1)?.status)).toEqual(Array(JOBS).fill('done'));
    for (const events of streams) {
      const versions = events.map((e) => e.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
    }
  }, 60_000);

  test('a saver whose clock is 25 h ahead deletes no fresh image, while one a day old on the database\'s clock is swept', async () => {
    expect(ids).toHaveLength(JOBS);
    const old = await upload(JOBS);
    expect((await system.waitForJob(old)).status).toBe('done');
    const sql = postgres(system.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`update images set saved_at = now() - interval '2 days' where id = ${old}`;
      // The sweep runs every 200 ms: the old image going proves it has run, with the TTL, since the fresh ones were saved.
      await until('the day-old image swept', async () => (await sql`select 1 from images where id = ${old}`).length === 0, 20_000);
      const left = await sql<{ n: number }[]>`select count(*)::int as n from images where id in ${sql(ids)}`;
      expect(left[0]!.n).toBe(JOBS);
    } finally {
      await sql.end();
    }
    const statuses = await Promise.all(ids.map((id) => fetch(`${system.baseUrl}/api/images/${id}`).then((r) => r.status)));
    expect(statuses).toEqual(Array(JOBS).fill(200));
  }, 60_000);
});
