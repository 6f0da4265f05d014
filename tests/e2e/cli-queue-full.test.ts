import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestSystem } from '../support/system.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'tests', 'fixtures');
let system: TestSystem;
let out: string;

beforeAll(async () => {
  // No processor at first and room for two, which the test fills itself before kadr runs.
  system = await TestSystem.start({ processors: 0, env: { QUEUE_MAX_LENGTH: '2' } });
  out = await mkdtemp(join(tmpdir(), 'kadr-cli-full-'));
}, 60_000);

afterAll(async () => {
  await system?.stop();
  await rm(out, { recursive: true, force: true });
});

test('kadr caption waits out 503 queue_full (Retry-After) and finishes once there is room, with one job per photo', async () => {
  const photos = (await readdir(FIXTURES)).filter((f) => f.endsWith('.jpg')).sort();
  // Filled one at a time: the API admits by the queue length its last append saw.
  for (let i = 0; i < 2; i++) {
    const form = new FormData();
    form.append('image', Bun.file(join(FIXTURES, photos[0]!)));
    form.append('description', `filler ${i}`);
    expect((await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form })).status).toBe(202);
  }
  const proc = Bun.spawn([process.execPath, join(ROOT, 'cli', 'kadr.ts'), 'caption', ...photos.map((p) => join(FIXTURES, p)), '-d', 'wait for room', '--out', out], {
    cwd: ROOT,
    env: { ...process.env, KADR_URL: system.baseUrl },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let stderr = '';
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
    stderr += decoder.decode(chunk);
    if (stderr.includes('queue_full, sending again in')) break;
  }
  expect(stderr).toContain('queue_full, sending again in');
  // Room comes when a processor starts draining the queue.
  system.spawn('processor');
  const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  expect(stdout).toContain(`${photos.length} done, 0 failed, of ${photos.length}`);
  expect((await readdir(out)).sort()).toEqual(photos);
  // The retries carried the same Idempotency-Key: no photo became two jobs.
  const listed = (await (await fetch(`${system.baseUrl}/api/images?limit=50`)).json()) as unknown[];
  expect(listed).toHaveLength(2 + photos.length);
}, 60_000);
