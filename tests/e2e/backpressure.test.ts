import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer();
let system: TestSystem;

function post(description: string): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob([CAT], { type: 'image/jpeg' }), 'cat.jpg');
  form.append('description', description);
  return fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
}

beforeAll(async () => {
  // No processor at first, so uploads pile up in the queue.
  system = await TestSystem.start({ processors: 0, env: { QUEUE_MAX_LENGTH: '3' } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

test('a full queue answers 503 queue_full with Retry-After, and what was accepted is processed once workers come', async () => {
  const accepted: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await post(`queued ${i}`);
    expect(res.status).toBe(202);
    accepted.push(((await res.json()) as { id: string }).id);
  }
  const full = await post('one too many');
  expect(full.status).toBe(503);
  expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(full.headers.get('x-content-type-options')).toBe('nosniff');
  expect(((await full.json()) as { error: { code: string } }).error.code).toBe('queue_full');

  for (const id of accepted) {
    const status = (await (await fetch(`${system.baseUrl}/api/images/${id}/status`)).json()) as { status: string };
    expect(status.status).toBe('queued');
    const image = await fetch(`${system.baseUrl}/api/images/${id}`);
    expect(image.status).toBe(409);
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await image.json()) as { error: { code: string } }).error.code).toBe('not_ready');
  }

  system.spawn('processor');
  for (const id of accepted) expect((await system.waitForJob(id)).status).toBe('done');
  expect((await post('room again')).status).toBe(202);
});

test('a batch the queue has no room for is refused whole with 503 queue_full, and none of it is queued', async () => {
  const form = new FormData();
  for (let i = 0; i < 4; i++) form.append('image', new Blob([CAT], { type: 'image/jpeg' }), `cat-${i}.jpg`);
  form.append('description', 'four for a queue of three');
  const res = await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
  expect(res.status).toBe(503);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('queue_full');
  const sql = postgres(system.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select (select count(*) from batches)::int as batches, (select count(*) from batch_jobs)::int as jobs`;
    expect(row).toEqual({ batches: 0, jobs: 0 });
  } finally {
    await sql.end();
  }
});
