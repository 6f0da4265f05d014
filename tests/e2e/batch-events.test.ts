import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readSse, type SseEvent } from '../support/sse.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const PHOTOS = ['cat-640x480.jpg', 'coffee-1920x1280.jpg', 'rocket-480x640.jpg', 'astronaut-640x480.jpg'];
// Long enough to read a complete batch's stream, short enough to watch it expire.
const TTL_SECONDS = 4;

let system: TestSystem;

interface Batch {
  id: string;
  status: string;
  image_count: number;
  counts: Record<string, number>;
  jobs: { index: number; id: string; status: string; error?: { code: string } }[];
  expires_at?: string;
  archive_url?: string;
}

beforeAll(async () => {
  system = await TestSystem.start({ env: { BATCH_TTL_SECONDS: String(TTL_SECONDS) } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

/** Posts a batch of `count` photos, those at `bad` cut to their first 2 KiB (accepted, undecodable); returns its id. */
async function postBatch(count: number, bad: number[] = []): Promise<string> {
  const form = new FormData();
  for (let i = 0; i < count; i++) {
    const bytes = new Blob([await Bun.file(new URL(PHOTOS[i % PHOTOS.length]!, FIXTURES)).arrayBuffer()]);
    form.append('image', bad.includes(i) ? bytes.slice(0, 2048) : bytes, `photo-${i}.jpg`);
  }
  form.append('description', 'watched batch');
  const res = await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const batchOf = (e: SseEvent) => e.data as unknown as Batch;
const finished = (b: Batch) => b.counts.done! + b.counts.failed!;

describe('live batch status (Server-Sent Events)', () => {
  test('a batch\'s stream sends its snapshot at once, then coalesced updates, and ends with the complete one and its archive', async () => {
    const id = await postBatch(6, [2]);
    const { res, events } = await readSse(`${system.baseUrl}/api/batches/${id}/events`, 60_000);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/event-stream');
    expect(events.map((e) => e.event)).toEqual(events.map(() => 'batch'));
    const batches = events.map(batchOf);

    const first = batches[0]!;
    expect(first).toMatchObject({ id, status: 'running', image_count: 6 });
    expect(first.jobs.map((j) => j.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(first.archive_url).toBeUndefined();

    const last = batches.at(-1)!;
    expect(last.status).toBe('complete');
    expect(last.counts).toEqual({ queued: 0, processing: 0, done: 5, failed: 1 });
    expect(last.jobs[2]!.error!.code).toBe('image_undecodable');
    expect(last.archive_url).toBe(`/api/batches/${id}/archive`);
    expect(Date.parse(last.expires_at!)).toBeGreaterThan(Date.now());
    // The stream agrees with the status endpoint, field for field.
    expect(await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()).toEqual(last);

    expect(batches.slice(0, -1).map((b) => b.status)).toEqual(batches.slice(0, -1).map(() => 'running'));
    expect(batches.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < batches.length; i++) {
      expect(finished(batches[i]!)).toBeGreaterThanOrEqual(finished(batches[i - 1]!));
      expect(JSON.stringify(batches[i])).not.toBe(JSON.stringify(batches[i - 1]));
      // At most one snapshot per 250 ms, however many jobs changed (less a little for timer and network jitter).
      expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThan(200);
    }
    // 6 jobs go through 3 to 4 statuses each: far more changes than snapshots sent.
    expect(batches.length).toBeLessThan(6 * 3);

    const archive = await fetch(`${system.baseUrl}${last.archive_url!}`);
    expect(archive.status).toBe(200);
    expect(archive.headers.get('content-type')).toBe('application/zip');
    await archive.arrayBuffer();
  }, 90_000);

  test('a complete batch\'s stream sends the one final snapshot and ends; once expired it answers 410', async () => {
    const id = await postBatch(1);
    await until('batch complete', async () => {
      const b = (await (await fetch(`${system.baseUrl}/api/batches/${id}`)).json()) as Batch;
      return b.status === 'complete';
    }, 30_000, { intervalMs: 100 });
    const { events } = await readSse(`${system.baseUrl}/api/batches/${id}/events`);
    expect(events).toHaveLength(1);
    expect(batchOf(events[0]!)).toMatchObject({ id, status: 'complete', counts: { done: 1, failed: 0 } });
    expect(batchOf(events[0]!).archive_url).toEndWith(`/api/batches/${id}/archive`);

    const gone = await until('the stream answers 410', async () => {
      const r = await readSse(`${system.baseUrl}/api/batches/${id}/events`);
      return r.res.status === 410 ? r.res : undefined;
    }, (TTL_SECONDS + 10) * 1000, { intervalMs: 250 });
    expect(gone.headers.get('content-type')).toContain('application/json');
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('gone');
  }, 60_000);

  test('an unknown or malformed batch id is a 404 JSON error, before any stream opens', async () => {
    for (const id of [Bun.randomUUIDv7(), 'not-a-batch']) {
      const res = await fetch(`${system.baseUrl}/api/batches/${id}/events`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  test('Swagger documents the batch event stream under the batches tag', async () => {
    type Op = { tags: string[]; responses: Record<string, { content?: Record<string, unknown> }> };
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as { paths: Record<string, Record<string, Op>> };
    const op = doc.paths['/api/batches/{id}/events']!.get!;
    expect(op.tags).toEqual(['batches']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '404', '410', '503']));
    expect(Object.keys(op.responses['200']!.content!)).toEqual(['text/event-stream']);
  });
});
