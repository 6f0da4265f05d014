import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { connectRedis, type Redis } from '../../shared/redis.ts';
import { measureBand } from '../support/pixels.ts';
import { silentLog } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';
import { readZip } from '../support/zip.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const PHOTOS = [
  { name: 'cat-640x480.jpg', width: 640, height: 480 },
  { name: 'coffee-1920x1280.jpg', width: 1920, height: 1280 },
  { name: 'rocket-480x640.jpg', width: 480, height: 640 },
  { name: 'astronaut-640x480.jpg', width: 640, height: 480 },
];
// Short enough for the test to watch a batch expire, long enough to download the others first.
const TTL_SECONDS = 10;

let system: TestSystem;
let sql: postgres.Sql;
let redis: Redis;

interface Snapshot {
  id: string;
  status: string;
  image_count: number;
  counts: Record<string, number>;
  jobs: { index: number; id: string; status: string; error?: { code: string; message: string } }[];
  expires_at?: string;
}

const photo = async (i: number) => new Blob([await Bun.file(new URL(PHOTOS[i % PHOTOS.length]!.name, FIXTURES)).arrayBuffer()]);

async function postBatch(form: FormData): Promise<Response> {
  return fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
}

/** A form of `count` photos cycling through the fixtures, `bad` indexes replaced by a truncated JPEG. */
async function batchForm(count: number, bad: number[] = []): Promise<FormData> {
  const form = new FormData();
  for (let i = 0; i < count; i++) {
    const bytes = await photo(i);
    // The first 2 KiB of a real JPEG: its header passes the API's checks, decoding fails.
    const image = bad.includes(i) ? bytes.slice(0, 2048) : bytes;
    form.append('image', image, `photo-${i}.jpg`);
  }
  form.append('description', 'Batch of photos');
  return form;
}

async function status(id: string): Promise<Snapshot> {
  return (await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()) as Snapshot;
}

const waitComplete = (id: string) =>
  until(`batch ${id} complete`, async () => {
    const s = await status(id);
    return s.status === 'complete' ? s : undefined;
  }, 120_000, { intervalMs: 200, explain: async () => JSON.stringify((await status(id)).counts) });

/** How many rows and Redis keys batches and jobs have left, to prove a refused request wrote nothing. */
async function footprint(): Promise<string> {
  const [b] = await sql`select (select count(*) from batches)::int as batches, (select count(*) from batch_jobs)::int as jobs`;
  const keys = (await redis.sendCommand(['KEYS', `${system.env.KEY_PREFIX}job:*`])) as unknown[];
  const queued = await redis.sendCommand(['XLEN', `${system.env.KEY_PREFIX}stream:uploads`]);
  return JSON.stringify({ ...b, keys: keys.length, queued: String(queued) });
}

beforeAll(async () => {
  system = await TestSystem.start({
    processors: 2,
    // Two savers: two sweepers running at once over the same batches.
    savers: 2,
    env: { BATCH_MAX_IMAGES: '25', BATCH_TTL_SECONDS: String(TTL_SECONDS), SWEEP_INTERVAL_MS: '300' },
  });
  sql = postgres(system.databaseUrl, { max: 2, onnotice: () => {} });
  redis = await connectRedis(system.env.REDIS_URL!, silentLog);
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await redis?.close();
  await system?.stop();
});

describe('batches through the real services', () => {
  test('a batch of 20 photos completes with 20 done, and its archive holds each captioned photo in upload order', async () => {
    const res = await postBatch(await batchForm(20));
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; image_count: number; status_url: string; archive_url: string };
    expect(accepted.image_count).toBe(20);
    expect(res.headers.get('location')).toBe(accepted.status_url);
    const done = await waitComplete(accepted.id);
    expect(done.counts).toEqual({ queued: 0, processing: 0, done: 20, failed: 0 });
    expect(done.jobs.map((j) => j.index)).toEqual([...Array(20).keys()]);

    const archive = await fetch(`${system.baseUrl}${accepted.archive_url}`);
    expect(archive.status).toBe(200);
    expect(archive.headers.get('content-type')).toBe('application/zip');
    expect(archive.headers.get('content-disposition')).toBe(`attachment; filename="batch-${accepted.id}.zip"`);
    // Streamed: the length is not known up front, so it was not built whole before sending.
    expect(archive.headers.get('content-length')).toBeNull();
    const entries = await readZip(new Uint8Array(await archive.arrayBuffer()));
    expect([...entries.keys()]).toEqual(done.jobs.map((j) => `${String(j.index + 1).padStart(3, '0')}-${j.id}.jpg`));
    for (const [i, name] of [...entries.keys()].entries()) {
      const { width, height } = PHOTOS[i % PHOTOS.length]!;
      const band = await measureBand(entries.get(name)!, height);
      expect(band.width).toBe(width);
      expect(band.height).toBeGreaterThan(height + 20);
      expect(band.height).toBeLessThan(height + 40);
      expect(band.darkShare).toBeGreaterThan(0.75);
      expect(band.whitePixels).toBeGreaterThan(50);
    }
  }, 180_000);

  test('a batch with 2 undecodable photos finishes with 18 images and a failed.txt naming the 2 with reasons', async () => {
    const res = await postBatch(await batchForm(20, [3, 11]));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitComplete(id);
    expect(done.counts).toEqual({ queued: 0, processing: 0, done: 18, failed: 2 });
    const failedJobs = done.jobs.filter((j) => j.status === 'failed');
    expect(failedJobs.map((j) => j.index)).toEqual([3, 11]);
    const entries = await readZip(new Uint8Array(await (await fetch(`${system.baseUrl}/api/batches/${id}/archive`)).arrayBuffer()));
    expect([...entries.keys()].filter((n) => n.endsWith('.jpg')).length).toBe(18);
    const lines = entries.get('failed.txt')!.toString('utf8').trim().split('\n');
    expect(lines.length).toBe(3);
    for (const [k, job] of failedJobs.entries()) {
      const [position, jobId, code, reason] = lines[k + 1]!.split('\t');
      expect([position, jobId]).toEqual([String(job.index + 1).padStart(3, '0'), job.id]);
      expect(code).toBe(job.error!.code);
      expect(reason!.length).toBeGreaterThan(5);
    }
  }, 180_000);

  test('the archive answers 409 with counts while running, and after expiry 410 with files and rows gone', async () => {
    const res = await postBatch(await batchForm(3));
    const { id } = (await res.json()) as { id: string };
    const early = await fetch(`${system.baseUrl}/api/batches/${id}/archive`);
    // The jobs may all finish before this request on a fast machine; then the 409 is not observable.
    if (early.status === 409) {
      const body = (await early.json()) as { error: { code: string; counts: Record<string, number> } };
      expect(body.error.code).toBe('not_ready');
      expect(Object.keys(body.error.counts).sort()).toEqual(['done', 'failed', 'processing', 'queued']);
    } else {
      expect(early.status).toBe(200);
      await early.arrayBuffer();
    }
    const done = await waitComplete(id);
    const rows = await sql`select path from images where batch_id = ${id}`;
    expect(rows.length).toBe(3);
    const files = rows.map((r) => join(system.env.IMAGES_DIR!, r.path as string));
    for (const f of files) expect(existsSync(f)).toBe(true);

    const gone = await until('archive answers 410', async () => {
      const r = await fetch(`${system.baseUrl}/api/batches/${id}/archive`);
      await r.arrayBuffer();
      return r.status === 410 ? r : undefined;
    }, (TTL_SECONDS + 30) * 1000, { intervalMs: 250 });
    expect(gone.status).toBe(410);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(done.expires_at!));
    const body = (await (await fetch(`${system.baseUrl}/api/batches/${id}/archive`)).json()) as { error: { code: string } };
    expect(body.error.code).toBe('gone');
    expect((await fetch(`${system.baseUrl}/api/batches/${id}`)).status).toBe(410);
    // 410 comes from the expiry time; the sweepers delete within their interval.
    await until('expired files and rows deleted', async () => {
      const [left] = await sql`select (select count(*) from images where batch_id = ${id})::int
                                   + (select count(*) from batch_jobs where batch_id = ${id})::int as n`;
      return left!.n === 0 && files.every((f) => !existsSync(f));
    }, 10_000);
    const [tombstone] = await sql`select expired_at from batches where id = ${id}`;
    expect(tombstone!.expired_at).toBeInstanceOf(Date);

    // Both savers sweep every 300 ms. By now the three batches so far (20, 18
    // and 3 images, the earlier two expired first) are swept: each by one
    // saver only, and every one of their 41 files deleted once in all.
    const sweeps = () => {
      const lines = ['saver', 'saver-2'].flatMap((name) => system.service(name).output.join('').split('\n'));
      return lines.filter((l) => l.includes('"msg":"swept expired images"')).map((l) => JSON.parse(l) as { batches: string[]; files: number });
    };
    await until('the 41 files of the three expired batches swept', () => sweeps().reduce((n, s) => n + s.files, 0) >= 41, 10_000);
    const swept = sweeps();
    expect(swept.reduce((n, s) => n + s.files, 0)).toBe(41);
    const batchIds = swept.flatMap((s) => s.batches);
    expect(new Set(batchIds).size).toBe(batchIds.length);
    expect(batchIds).toContain(id);
  }, 120_000);

  test('a batch over the image limit or with one bad part is refused whole and leaves nothing behind', async () => {
    const before = await footprint();
    const tooMany = await postBatch(await batchForm(26));
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('too_many_images');

    const form = await batchForm(3);
    const withText = new FormData();
    for (const [i, part] of [...form.getAll('image')].entries()) {
      withText.append('image', i === 1 ? new Blob(['not an image at all']) : (part as Blob), `p${i}.jpg`);
    }
    withText.append('description', 'one');
    const badPart = await postBatch(withText);
    expect(badPart.status).toBe(415);
    expect(((await badPart.json()) as { error: { message: string } }).error.message).toStartWith('image[1]:');

    const mismatch = await batchForm(3);
    mismatch.append('description', 'second of two');
    const res = await postBatch(mismatch);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: 'count_mismatch', field: 'description' });

    expect(await footprint()).toBe(before);
  }, 60_000);

  test('each image takes its own description when one is sent per image, and a bad one is named by position', async () => {
    const form = new FormData();
    for (let i = 0; i < 2; i++) form.append('image', await photo(0), `p${i}.jpg`);
    form.append('description', 'first');
    form.append('description', '   ');
    const refused = await postBatch(form);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { field: string; code: string } }).error).toMatchObject({ field: 'description[1]', code: 'blank' });
  });

  test('a batch repeated with the same Idempotency-Key answers the first 202 again and queues nothing more', async () => {
    const key = `batch-${crypto.randomUUID()}`;
    const send = async () => {
      const form = await batchForm(2);
      return fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form, headers: { 'idempotency-key': key } });
    };
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = [(await first.json()) as { id: string }, (await again.json()) as { id: string }];
    expect(b.id).toBe(a.id);
    const [row] = await sql`select count(*)::int as n from batch_jobs where batch_id = ${a.id}`;
    expect(row!.n).toBe(2);
    expect((await waitComplete(a.id)).counts.done).toBe(2);
  }, 60_000);

  test('Swagger documents the three batch endpoints under the batches tag, with 410 for expired ones', async () => {
    type Op = { tags: string[]; responses: Record<string, unknown> };
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as { paths: Record<string, Record<string, Op>> };
    const post = doc.paths['/api/batches']!.post!;
    expect(post.tags).toEqual(['batches']);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '413', '422', '503']));
    for (const path of ['/api/batches/{id}', '/api/batches/{id}/archive']) {
      expect(doc.paths[path]!.get!.tags).toEqual(['batches']);
      expect(Object.keys(doc.paths[path]!.get!.responses)).toEqual(expect.arrayContaining(['200', '404', '410']));
    }
  });

  test('an unknown batch is 404', async () => {
    expect((await fetch(`${system.baseUrl}/api/batches/${Bun.randomUUIDv7()}`)).status).toBe(404);
    expect((await fetch(`${system.baseUrl}/api/batches/nope/archive`)).status).toBe(404);
  });
});
