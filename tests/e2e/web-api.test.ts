import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readSse } from '../support/sse.ts';
import { FlakySource } from '../support/flaky-source.ts';
import { TestSystem } from '../support/system.ts';

const CAT = new URL('../fixtures/cat-640x480.jpg', import.meta.url);

let system: TestSystem;
let source: FlakySource;

// Starting the real services can take more than bun's 5 s hook default on a busy machine.
beforeAll(async () => {
  source = FlakySource.start(new Uint8Array(await Bun.file(CAT).arrayBuffer()));
  system = await TestSystem.start({ env: source.env() });
}, 60_000);

afterAll(async () => {
  source?.stop();
  await system?.stop();
});

async function upload(bytes?: Uint8Array<ArrayBuffer>): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([bytes ?? (await Bun.file(CAT).bytes())], { type: 'image/jpeg' }), 'cat.jpg');
  form.append('description', 'web api');
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const broken = async () => (await Bun.file(CAT).bytes()).subarray(0, 600);

const readStream = (path: string) => readSse(`${system.baseUrl}${path}`);

describe('live job status (Server-Sent Events)', () => {
  test('a job\'s stream sends its status at once, then each change in order, and ends after done', async () => {
    const id = await upload();
    const { res, events } = await readStream(`/api/images/${id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    const statuses = events.map((e) => e.data.status);
    expect(statuses.at(-1)).toBe('done');
    const order = ['queued', 'processing', 'saving', 'done'];
    expect(statuses.map((s) => order.indexOf(s as string))).toEqual([...statuses.map((s) => order.indexOf(s as string))].sort());
    expect(new Set(statuses).size).toBe(statuses.length);
    for (const e of events) {
      expect(e.event).toBe('status');
      expect(e.data.id).toBe(id);
      expect(Date.parse(e.data.updated_at as string)).not.toBeNaN();
    }
  });

  test('a finished job\'s stream sends its final status once and ends; a failure carries the reason', async () => {
    const done = await upload();
    const failed = await upload(await broken());
    await system.waitForJob(done);
    await system.waitForJob(failed);
    expect((await readStream(`/api/images/${done}/events`)).events.map((e) => e.data.status)).toEqual(['done']);
    const f = (await readStream(`/api/images/${failed}/events`)).events;
    expect(f).toHaveLength(1);
    expect(f[0]!.data.status).toBe('failed');
    expect((f[0]!.data.error as { code: string }).code).toBe('image_undecodable');
  });

  test('one stream watches several jobs, reports unknown ids as missing, and ends when all are final', async () => {
    const a = await upload();
    const b = await upload();
    const unknown = '01a20000-0000-7000-8000-000000000000';
    const { events } = await readStream(`/api/images/events?ids=${a},${b},${unknown}`);
    expect(events.filter((e) => e.event === 'missing').map((e) => e.data.id)).toEqual([unknown]);
    const finals = events.filter((e) => e.data.status === 'done').map((e) => e.data.id);
    expect(finals.sort()).toEqual([a, b].sort());
  });

  test('an unknown or malformed id is a 404, and a bad id list a 400, as JSON errors', async () => {
    const unknown = await readStream('/api/images/01a20000-0000-7000-8000-000000000000/events');
    expect(unknown.res.status).toBe(404);
    expect(((await unknown.res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await fetch(`${system.baseUrl}/api/images/not-an-id/events`)).status).toBe(404);
    for (const ids of ['', 'nope', Array.from({ length: 101 }, () => '01a20000-0000-7000-8000-000000000000').join(',')]) {
      const res = await fetch(`${system.baseUrl}/api/images/events?ids=${ids}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
    }
  });
});

describe('admin endpoints without ADMIN_TOKEN', () => {
  test('a dead letter is retried once: a second retry, or a discard after it, answers 404', async () => {
    // Its source keeps failing (transient), so the letter keeps what a retry
    // needs; a broken photo's letter would drop its bytes and refuse a retry.
    const form = new FormData();
    form.append('url', source.url);
    form.append('description', 'its server is down');
    const posted = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    expect((await system.waitForJob(id)).error?.code).toBe('source_http_error');
    const dead = (await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ entry_id: string; job_id: string }>;
    const entry = dead.find((d) => d.job_id === id)!;
    const retry = { method: 'POST', headers: { 'content-type': 'application/json' } };
    const [first, second] = await Promise.all([
      fetch(`${system.baseUrl}/api/admin/dead/${entry.entry_id}/retry`, retry),
      fetch(`${system.baseUrl}/api/admin/dead/${entry.entry_id}/retry`, retry),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 404]);
    expect((await fetch(`${system.baseUrl}/api/admin/dead/${entry.entry_id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${system.baseUrl}/api/admin/dead/not-an-entry/retry`, retry)).status).toBe(404);
    // Back in the queue once (status reset to queued with the retry): the server is still down, so it fails again and is dead-lettered exactly once more.
    expect((await system.waitForJob(id)).status).toBe('failed');
    const after = (await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ job_id: string }>;
    expect(after.filter((d) => d.job_id === id)).toHaveLength(1);
  });

  test('dead letters page newest first through a Link header', async () => {
    for (let i = 0; i < 3; i++) await system.waitForJob(await upload(await broken()));
    const res = await fetch(`${system.baseUrl}/api/admin/dead?limit=2`);
    const page = (await res.json()) as Array<{ entry_id: string }>;
    expect(page).toHaveLength(2);
    expect(page[0]!.entry_id > page[1]!.entry_id).toBe(true);
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')![1]!;
    const rest = (await (await fetch(`${system.baseUrl}${next}`)).json()) as Array<{ entry_id: string }>;
    expect(rest[0]!.entry_id < page[1]!.entry_id).toBe(true);
    expect((await fetch(`${system.baseUrl}/api/admin/dead?limit=0`)).status).toBe(400);
  });

  test('the stats snapshot counts jobs, lists both workers and gives percentiles per stage', async () => {
    await system.waitForJob(await upload());
    await Bun.sleep(1100); // a heartbeat
    const stats = (await (await fetch(`${system.baseUrl}/api/admin/stats`)).json()) as {
      workers: Array<{ kind: string; pid: number; jobs_done: number }>;
      totals: { done: number; failed: number };
      latency: Record<string, { p50: number | null; samples: number }>;
      throughput: { done: number[] };
      streams: Array<{ name: string; length: number }>;
    };
    expect(stats.workers.map((w) => w.kind).sort()).toEqual(['processor', 'saver']);
    expect(stats.workers.every((w) => w.pid > 0)).toBe(true);
    expect(stats.totals.done).toBeGreaterThanOrEqual(1);
    expect(stats.latency.render!.p50).toBeGreaterThan(0);
    expect(stats.latency.total!.samples).toBe(stats.totals.done);
    expect(stats.throughput.done.reduce((a, b) => a + b, 0)).toBe(stats.totals.done);
    expect(stats.streams.map((s) => s.name)).toEqual(['uploads', 'captioned', 'dead']);
  });

  test('the stats stream pushes a snapshot at least once a second', async () => {
    const controller = new AbortController();
    const res = await fetch(`${system.baseUrl}/api/admin/stats/events`, { signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const started = performance.now();
    let text = '';
    while ((text.match(/event: stats/g) ?? []).length < 3) text += (await reader.read()).value ?? '';
    controller.abort();
    expect(performance.now() - started).toBeLessThan(3500);
  });
});

describe('metrics, pages and documentation', () => {
  test('/metrics reports requests, job outcomes, stage histograms and queue lengths in the Prometheus format', async () => {
    await system.waitForJob(await upload());
    const res = await fetch(`${system.baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toMatch(/^kadr_http_requests_total\{route="\/api\/images",method="POST",status="202"\} \d+$/m);
    expect(text).toMatch(/^kadr_http_request_duration_seconds_bucket\{le="0.01",route="\/api\/images",method="POST"\} \d+$/m);
    expect(text).toMatch(/^kadr_jobs_total\{outcome="done"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kadr_job_errors_total\{code="image_undecodable"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kadr_stage_duration_seconds_bucket\{stage="render",le="\+Inf"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kadr_stage_duration_seconds_count\{stage="total"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kadr_stream_length\{stream="uploads"\} \d+$/m);
    expect(text).toMatch(/^kadr_stream_pending\{stream="captioned",group="savers"\} \d+$/m);
  });

  test('the pages carry a strict Content-Security-Policy and hold no inline script or style; Swagger UI keeps working without it', async () => {
    for (const path of ['/', '/dashboard']) {
      const res = await fetch(`${system.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const csp = res.headers.get('content-security-policy')!;
      for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
        expect(csp).toContain(d);
      }
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=|<style/);
      expect(html).not.toMatch(/\son[a-z]+=/);
    }
    const js = await fetch(`${system.baseUrl}/web/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${system.baseUrl}/web/nope.js`)).status).toBe(404);
    expect((await fetch(`${system.baseUrl}/web/..%2fpackage.json`)).status).toBe(404);
    const swagger = await fetch(`${system.baseUrl}/swagger`);
    expect(swagger.status).toBe(200);
    // Served offline from the API itself, under the same strict CSP as the pages.
    expect(swagger.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  test('the OpenAPI document lists the event streams and the admin endpoints with their 401', async () => {
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/images/{id}/events', '/api/images/events', '/metrics', '/api/admin/stats',
        '/api/admin/stats/events', '/api/admin/dead', '/api/admin/dead/{entryId}/retry', '/api/admin/dead/{entryId}']),
    );
    expect(doc.paths['/api/admin/dead/{entryId}/retry']!.post!.tags).toEqual(['admin']);
    expect(Object.keys(doc.paths['/api/admin/dead/{entryId}']!.delete!.responses)).toEqual(expect.arrayContaining(['204', '401', '404']));
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/web') || p === '/dashboard')).toEqual([]);
  });

  test('restarting the API loses no statistics, and SIGTERM ends open event streams rather than waiting for them', async () => {
    await system.waitForJob(await upload());
    const before = (await (await fetch(`${system.baseUrl}/api/admin/stats`)).json()) as { totals: unknown; errors: unknown };
    const open = await fetch(`${system.baseUrl}/api/admin/stats/events`);
    const drained = open.text();
    const { exitCode, ms } = await system.signal('api', 'SIGTERM');
    expect(exitCode).toBe(0);
    expect(ms).toBeLessThan(3000);
    expect(await drained).toContain('event: stats');
    await system.restart('api');
    const after = (await (await fetch(`${system.baseUrl}/api/admin/stats`)).json()) as { totals: unknown; errors: unknown };
    expect(after.totals).toEqual(before.totals);
    expect(after.errors).toEqual(before.errors);
  }, 30_000);
});
