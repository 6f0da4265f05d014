import { expect } from 'bun:test';
import { photo } from './load.ts';
import { measureBand } from './pixels.ts';
import type { TestSystem } from './system.ts';
import { until } from './wait.ts';
import { readZip } from './zip.ts';

/** Uploads and batches of the fixture photos, waited for, and the check of a batch's ZIP: for the read tests. */

const PHOTOS = [
  { name: 'cat-640x480.jpg', width: 640, height: 480 },
  { name: 'coffee-1920x1280.jpg', width: 1920, height: 1280 },
  { name: 'rocket-480x640.jpg', width: 480, height: 640 },
];

/** Uploads one photo and waits until it is done; answers its id. */
export async function uploadDone(system: TestSystem, name = 'cat-640x480.jpg'): Promise<string> {
  const form = new FormData();
  form.append('image', await photo(name), name);
  form.append('description', 'Кот на солнце');
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect((await system.waitForJob(id)).status).toBe('done');
  return id;
}

/** Posts a batch of the fixtures and waits until it is complete; answers its id and job ids in upload order. */
export async function batchDone(system: TestSystem): Promise<{ id: string; jobs: string[] }> {
  const form = new FormData();
  for (const p of PHOTOS) form.append('image', await photo(p.name), p.name);
  form.append('description', 'Batch of photos');
  const res = await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  return until(`batch ${id} complete`, async () => {
    const s = (await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()) as { status: string; jobs: { id: string }[] };
    return s.status === 'complete' ? { id, jobs: s.jobs.map((j) => j.id) } : undefined;
  }, 60_000, { intervalMs: 200 });
}

/** Every image of the batch is in the ZIP, in upload order, each the captioned photo (width and band measured). */
export async function expectBatchZip(zip: Uint8Array, jobs: string[]): Promise<void> {
  const entries = await readZip(zip);
  expect([...entries.keys()]).toEqual(jobs.map((job, i) => `${String(i + 1).padStart(3, '0')}-${job}.jpg`));
  for (const [i, name] of [...entries.keys()].entries()) {
    const { width, height } = PHOTOS[i]!;
    const band = await measureBand(entries.get(name)!, height);
    expect(band.width).toBe(width);
    expect(band.height).toBeGreaterThan(height + 20);
    expect(band.height).toBeLessThan(height + 40);
    expect(band.darkShare).toBeGreaterThan(0.75);
  }
}
