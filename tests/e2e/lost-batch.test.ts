import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { insertBatch } from '../../api/batches/batches-table.ts';
import { connectDb, type Sql } from '../../shared/db.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();

interface Batch {
  status: string;
  counts: Record<string, number>;
  jobs: Array<{ status: string; error?: { code: string; message: string } }>;
}

let system: TestSystem;
let sql: Sql;

beforeAll(async () => {
  // No processor: a batch that is really queued stays queued, however long it waits.
  system = await TestSystem.start({ processors: 0, env: { BATCH_LOST_AFTER_SECONDS: '1', SWEEP_INTERVAL_MS: '200' } });
  sql = await connectDb(system.databaseUrl);
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await system?.stop();
});

const batch = async (id: string) => (await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()) as Batch;

describe('a batch whose queueing was in doubt', () => {
  test('is ended failed with a reason when none of its jobs reached Redis; a queued batch keeps running', async () => {
    const form = new FormData();
    for (let i = 0; i < 2; i++) form.append('image', new Blob([CAT], { type: 'image/jpeg' }), `c-${i}.jpg`);
    form.append('description', 'queued');
    const queued = ((await (await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form })).json()) as { id: string }).id;
    await Bun.sleep(1500); // older than BATCH_LOST_AFTER_SECONDS, with its jobs in Redis

    // What a 503 outcome_unknown whose MULTI never ran leaves behind: the
    // batch and its jobs in PostgreSQL (written first), nothing in Redis.
    const lost = Bun.randomUUIDv7();
    await insertBatch(sql, lost, [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()], new Date(Date.now() - 10_000).toISOString());
    expect((await batch(lost)).status).toBe('running');

    const ended = await until('the lost batch ends', async () => ((await batch(lost)).status === 'complete' ? batch(lost) : undefined), 20_000);
    expect(ended.counts).toEqual({ queued: 0, processing: 0, done: 0, failed: 3 });
    for (const job of ended.jobs) {
      expect(job.status).toBe('failed');
      expect(job.error!.code).toBe('not_queued');
      expect(job.error!.message).toContain('outcome_unknown');
    }
    // The saver logs after the batch is completed, so the line may trail the
    // status read above by a moment; once there, later sweeps must not repeat it.
    const line = 'ended batches failed whose jobs were never queued';
    await until('the saver logs the lost batch', async () => system.logCount('saver', line) >= 1 || undefined, 5_000);
    await Bun.sleep(600); // three sweeps
    expect(system.logCount('saver', line)).toBe(1);

    const still = await batch(queued);
    expect(still.status).toBe('running');
    expect(still.counts.queued).toBe(2);
  }, 60_000);
});
