import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import postgres from 'postgres';
import { batchDone, expectBatchZip, uploadDone } from '../support/downloads.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

// A batch expires long before a presigned link would: its links must be cut to the batch.
const BATCH_TTL_SECONDS = 120;
const PRESIGN_TTL_SECONDS = 3600;
// Single uploads are deleted this long after saving: their links end by then too.
const IMAGE_TTL_SECONDS = 600;

let system: TestSystem;
let sql: postgres.Sql;

beforeAll(async () => {
  system = await TestSystem.start({
    storage: 's3',
    env: {
      STORAGE_REDIRECT: 'presigned',
      PRESIGN_TTL_SECONDS: String(PRESIGN_TTL_SECONDS),
      BATCH_TTL_SECONDS: String(BATCH_TTL_SECONDS),
      IMAGE_TTL_SECONDS: String(IMAGE_TTL_SECONDS),
    },
  });
  sql = postgres(system.databaseUrl, { max: 1, onnotice: () => {} });
}, 60_000);
afterAll(async () => {
  await sql?.end();
  await system?.stop();
});

/** The 302 of `path`, and how long its presigned link lives. */
async function redirected(path: string): Promise<{ location: string; expires: number }> {
  const res = await fetch(`${system.baseUrl}${path}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const location = res.headers.get('location')!;
  // Straight to the store: the API is not in the way of the bytes.
  expect(new URL(location).origin).toBe(system.s3!.endpoint);
  return { location, expires: Number(new URL(location).searchParams.get('X-Amz-Expires')) };
}

describe('with STORAGE_REDIRECT=presigned', () => {
  test('an image answers 302 to a presigned URL that fetches its bytes without credentials, ending no later than the image', async () => {
    const id = await uploadDone(system);
    const { location, expires } = await redirected(`/api/images/${id}`);
    expect(expires).toBeGreaterThan(0);
    expect(expires).toBeLessThanOrEqual(PRESIGN_TTL_SECONDS);
    expect(expires).toBeLessThanOrEqual(IMAGE_TTL_SECONDS);
    const stored: Uint8Array = (await system.store().read(`${id}.jpg`))!;
    // A plain fetch: no Authorization, nothing but the URL.
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(new Uint8Array(await direct.arrayBuffer()) as Uint8Array).toEqual(stored);
    // Ranges are the store's to answer once redirected.
    const part = await fetch(location, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(new Uint8Array(await part.arrayBuffer()) as Uint8Array).toEqual(stored.slice(0, 100));
  });

  test('an image of a batch and the batch archive get links that end no later than the batch', async () => {
    const batch = await batchDone(system);
    // The saver records the expiry just after the last save that completed the batch.
    const seconds = await until('the batch expiry recorded', async () => {
      const [row] = await sql<{ seconds: number | null }[]>`
        select extract(epoch from expires_at - now())::float8 as seconds from batches where id = ${batch.id}`;
      return row?.seconds ?? undefined;
    }, 10_000);
    expect(seconds).toBeLessThanOrEqual(BATCH_TTL_SECONDS);

    const image = await redirected(`/api/images/${batch.jobs[0]}`);
    expect(image.expires).toBeGreaterThan(0);
    expect(image.expires).toBeLessThanOrEqual(Math.ceil(seconds));
    expect((await fetch(image.location)).status).toBe(200);

    expect(await system.objects()).not.toContain(`archives/${batch.id}.zip`);
    const archive = await redirected(`/api/batches/${batch.id}/archive`);
    expect(archive.expires).toBeGreaterThan(0);
    expect(archive.expires).toBeLessThanOrEqual(Math.ceil(seconds));
    // Built once, as an object of its own, then served by the store.
    expect(await system.objects()).toContain(`archives/${batch.id}.zip`);
    const zip = await fetch(archive.location);
    expect(zip.status).toBe(200);
    await expectBatchZip(new Uint8Array(await zip.arrayBuffer()), batch.jobs);

    // A second request finds the archive stored and redirects to the same object.
    const again = await redirected(`/api/batches/${batch.id}/archive`);
    expect(new URL(again.location).pathname).toBe(new URL(archive.location).pathname);
    await expectBatchZip(new Uint8Array(await (await fetch(again.location)).arrayBuffer()), batch.jobs);
  }, 90_000);

  test('concurrent first requests for an archive all redirect to one whole ZIP', async () => {
    const batch = await batchDone(system);
    const links = await Promise.all([1, 2, 3].map(() => redirected(`/api/batches/${batch.id}/archive`)));
    expect(new Set(links.map((l) => new URL(l.location).pathname)).size).toBe(1);
    for (const link of links) await expectBatchZip(new Uint8Array(await (await fetch(link.location)).arrayBuffer()), batch.jobs);
  }, 90_000);
});
