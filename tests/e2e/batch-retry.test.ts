import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { killWhileHolding } from '../support/kill-holding.ts';
import { Probe } from '../support/probe.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';
import { readZip } from '../support/zip.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();

interface Batch {
  id: string;
  status: string;
  counts: { queued: number; processing: number; done: number; failed: number };
  completed_at?: string;
  expires_at?: string;
  archive_url?: string;
}

let system: TestSystem;
let probe: Probe;

beforeAll(async () => {
  // One delivery only, so a job whose processor dies is dead-lettered (too_many_deliveries)
  // on reclaim, although a retry of it succeeds: a dead letter that deserves a retry.
  system = await TestSystem.start({
    processors: 1,
    env: { MAX_DELIVERIES: '1', RECLAIM_IDLE_MS: '1000', BATCH_TTL_SECONDS: '3', SWEEP_INTERVAL_MS: '200' },
  });
  probe = await Probe.open(system);
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await system?.stop();
});

async function postBatch(count: number, broken = false): Promise<string> {
  const form = new FormData();
  for (let i = 0; i < count; i++) form.append('image', new Blob([broken ? CAT.subarray(0, 600) : CAT], { type: 'image/jpeg' }), `p-${i}.jpg`);
  form.append('description', 'retry');
  const res = await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const batch = async (id: string) => (await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()) as Batch;
const complete = (id: string) => until(`batch ${id} complete`, async () => ((await batch(id)).status === 'complete' ? batch(id) : undefined), 60_000);
const deadOf = async (jobIds: Set<string>) =>
  ((await (await fetch(`${system.baseUrl}/api/admin/dead?limit=500`)).json()) as Array<{ entry_id: string; job_id: string }>).filter((d) =>
    jobIds.has(d.job_id),
  );
const retry = (entryId: string) =>
  fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' } });
const jobIdsOf = async (id: string) =>
  new Set(((await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id));

describe('retrying a dead letter of a batch', () => {
  test('reopens the batch, and when the job ends again its counts, completion and archive include it', async () => {
    const id = await postBatch(8);
    const orphaned = await killWhileHolding(system, probe, 'processor-1', 'uploads', () => true);
    expect(orphaned.length).toBeGreaterThan(0);
    await system.restart('processor-1');
    const first = await complete(id);
    expect(first.counts.failed).toBeGreaterThan(0);
    const jobs = await jobIdsOf(id);
    const dead = await deadOf(jobs);
    expect(dead.length).toBe(first.counts.failed);

    for (const d of dead) expect((await retry(d.entry_id)).status).toBe(200);
    // At once the batch is running again: its retried jobs are unfinished.
    const reopened = await batch(id);
    expect(reopened.completed_at ?? null).toBeNull();
    expect(reopened.counts.failed).toBe(0);

    const again = await complete(id);
    expect(again.counts).toEqual({ queued: 0, processing: 0, done: 8, failed: 0 });
    expect(Date.parse(again.completed_at!)).toBeGreaterThan(Date.parse(first.completed_at!));
    const zip = await readZip(new Uint8Array(await (await fetch(`${system.baseUrl}/api/batches/${id}/archive`)).arrayBuffer()));
    expect([...zip.keys()].filter((n) => n.endsWith('.jpg'))).toHaveLength(8);
    expect([...zip.keys()]).not.toContain('failed.txt');
  }, 120_000);

  test('is refused with 409 batch_expired once the batch has expired, and the dead letter stays', async () => {
    const id = await postBatch(1, true);
    await complete(id);
    const [letter] = await deadOf(await jobIdsOf(id));
    await until('the batch is swept', async () => (await fetch(`${system.baseUrl}/api/batches/${id}`)).status === 410, 30_000);
    const res = await retry(letter!.entry_id);
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('batch_expired');
    expect(error.message).toContain(id);
    expect((await fetch(`${system.baseUrl}/api/admin/dead?limit=500`)).ok).toBe(true);
    expect((await deadOf(new Set([letter!.job_id]))).map((d) => d.entry_id)).toEqual([letter!.entry_id]);
  }, 60_000);
});
