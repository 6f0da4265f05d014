import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { OpenAPIV3 } from 'openapi-types';
import { Conformance, operationsOf } from '../support/openapi-conformance.ts';
import { TestSystem } from '../support/system.ts';

// Every operation of GET /swagger/json is called on the real services and
// each answer validated against the document (status, Content-Type, body,
// and each event of a stream), error answers included.
const TOKEN = 'conformance-admin-token';
const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const COFFEE = await Bun.file(new URL('../fixtures/coffee-1920x1280.jpg', import.meta.url)).bytes();
const jpeg = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });

let system: TestSystem;
let doc: OpenAPIV3.Document;
let c: Conformance;
beforeAll(async () => {
  // A small upload limit and a batch that expires a second after it completes make 413 and 410 cheap.
  system = await TestSystem.start({ env: { ADMIN_TOKEN: TOKEN, MAX_UPLOAD_BYTES: String(CAT.byteLength + 1000), BATCH_TTL_SECONDS: '1' } });
  doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as OpenAPIV3.Document;
  c = new Conformance(doc);
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const url = (path: string) => `${system.baseUrl}${path}`;
const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
function form(fields: Array<[string, string | Blob, string?]>): FormData {
  const f = new FormData();
  for (const [name, value, filename] of fields) typeof value === 'string' ? f.append(name, value) : f.append(name, value, filename ?? 'photo.jpg');
  return f;
}
const post = (path: string, fields: Array<[string, string | Blob, string?]>, headers: Record<string, string> = {}) =>
  fetch(url(path), { method: 'POST', body: form(fields), headers });

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const finished = (id: string) =>
  until(`job ${id}`, async () => {
    const s = (await (await fetch(url(`/api/images/${id}/status`))).json()) as { status: string };
    return s.status === 'done' || s.status === 'failed' ? s : undefined;
  });

describe('every answer of the API matches its OpenAPI document', () => {
  test('health, readiness and metrics', async () => {
    await c.check('GET /healthz', await fetch(url('/healthz')));
    await c.check('GET /readyz', await fetch(url('/readyz')));
    const metrics = (await c.check('GET /metrics', await fetch(url('/metrics')))) as string;
    expect(metrics).toContain('kadr_http_requests_total');
  });

  test('uploads, their status, streams and results, and the errors they answer', async () => {
    const accepted = (await c.check('POST /api/images', await post('/api/images', [['image', jpeg(CAT)], ['description', 'a cat']]))) as { id: string };
    const ops = (await c.check('POST /api/images', await post('/api/images', [['image', jpeg(CAT)], ['description', 'a cat'], ['operations', '[{"op":"flip"}]']]))) as { id: string };
    const shortcuts: Array<[string, Array<[string, string]>]> = [
      ['/api/crop', [['aspect', '1:1']]],
      ['/api/resize', [['width', '100']]],
      ['/api/grayscale', []],
      ['/api/watermark', [['text', 'kadr']]],
    ];
    for (const [path, fields] of shortcuts) await c.check(`POST ${path}`, await post(path, [['image', jpeg(CAT)], ...fields]));

    // The one-upload stream, read to its end: every status event's data validated.
    const events = (await c.check('GET /api/images/{id}/events', await fetch(url(`/api/images/${accepted.id}/events`)))) as Array<{ event: string }>;
    expect(events.at(-1)!.event).toBe('status');
    await finished(ops.id);
    const unknown = '01900000-0000-7000-8000-000000000000';
    const several = (await c.check('GET /api/images/events', await fetch(url(`/api/images/events?ids=${ops.id},${unknown}`)))) as Array<{ event: string }>;
    expect(several.map((e) => e.event).sort()).toEqual(['missing', 'status']);

    await c.check('GET /api/images/{id}/status', await fetch(url(`/api/images/${accepted.id}/status`)));
    await c.check('GET /api/images/{id}', await fetch(url(`/api/images/${accepted.id}`)));
    await c.check('GET /api/images/{id}', await fetch(url(`/api/images/${accepted.id}`), { headers: { 'if-none-match': `"${accepted.id}"` } }));
    await c.check('GET /api/images', await fetch(url('/api/images?limit=2')));
    await c.check('GET /api/images/{id}/thumbnail', await fetch(url(`/api/images/${accepted.id}/thumbnail`)));
    await c.check('GET /api/images/{id}/thumbnail', await fetch(url(`/api/images/${accepted.id}/thumbnail`), { headers: { 'if-none-match': `"${accepted.id}.thumb"` } }));
    await c.check('GET /api/operations', await fetch(url('/api/operations')));

    // Errors.
    await c.check('GET /api/images/{id}/status', await fetch(url(`/api/images/${unknown}/status`)));
    await c.check('GET /api/images/{id}', await fetch(url(`/api/images/${unknown}`)));
    await c.check('GET /api/images/{id}/thumbnail', await fetch(url(`/api/images/${unknown}/thumbnail`)));
    await c.check('GET /api/images/{id}/events', await fetch(url(`/api/images/${unknown}/events`)));
    await c.check('GET /api/images/events', await fetch(url('/api/images/events?ids=nope')));
    await c.check('GET /api/images', await fetch(url('/api/images?limit=0')));
    await c.check('POST /api/images', await fetch(url('/api/images'), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));
    await c.check('POST /api/images', await post('/api/images', [['image', jpeg(CAT)]]));
    await c.check('POST /api/images', await post('/api/images', [['image', jpeg(COFFEE)], ['description', 'too big']]));
    await c.check('POST /api/images', await post('/api/images', [['image', jpeg(CAT)], ['description', 'x']], { 'idempotency-key': '' }));
    await c.check('POST /api/resize', await post('/api/resize', [['image', jpeg(CAT)], ['width', 'abc']]));
    // A failed job: its image answers 409 job_failed.
    const broken = (await c.check('POST /api/images', await post('/api/images', [['image', jpeg(CAT.subarray(0, 600))], ['description', 'half']]))) as { id: string };
    await finished(broken.id);
    await c.check('GET /api/images/{id}', await fetch(url(`/api/images/${broken.id}`)));
    await c.check('GET /api/images/{id}/thumbnail', await fetch(url(`/api/images/${broken.id}/thumbnail`)));
    const statuses = c.checked.filter((x) => x.operation.includes('/api/images')).map((x) => x.status);
    expect(new Set(statuses)).toEqual(new Set([200, 202, 304, 400, 404, 409, 413, 415, 422]));
  }, 60_000);

  test('batches: upload, status, stream, archive, and the errors they answer', async () => {
    const batch = (await c.check('POST /api/batches', await post('/api/batches', [['image', jpeg(CAT)], ['image', jpeg(CAT)], ['description', 'two cats']]))) as { id: string };
    const events = (await c.check('GET /api/batches/{id}/events', await fetch(url(`/api/batches/${batch.id}/events`)))) as Array<{ event: string; data: { status: string } }>;
    expect(events.at(-1)!.data.status).toBe('complete');
    await c.check('GET /api/batches/{id}', await fetch(url(`/api/batches/${batch.id}`)));
    await c.check('GET /api/batches/{id}/archive', await fetch(url(`/api/batches/${batch.id}/archive`)));
    const unknown = '01900000-0000-7000-8000-000000000000';
    await c.check('GET /api/batches/{id}', await fetch(url(`/api/batches/${unknown}`)));
    await c.check('GET /api/batches/{id}/archive', await fetch(url(`/api/batches/${unknown}/archive`)));
    await c.check('GET /api/batches/{id}/events', await fetch(url(`/api/batches/${unknown}/events`)));
    await c.check('POST /api/batches', await post('/api/batches', [['description', 'no images']]));
    await c.check('POST /api/batches', await fetch(url('/api/batches'), { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }));
    // A running batch's archive is 409; an expired batch is 410 everywhere.
    const running = (await c.check('POST /api/batches', await post('/api/batches', [['image', jpeg(CAT)], ['description', 'one cat']]))) as { id: string };
    const early = await fetch(url(`/api/batches/${running.id}/archive`));
    await c.check('GET /api/batches/{id}/archive', early);
    const gone = await until('the batch to expire', async () => {
      const res = await fetch(url(`/api/batches/${batch.id}`));
      if (res.status === 410) return res;
      await res.body?.cancel();
      return undefined;
    });
    await c.check('GET /api/batches/{id}', gone);
    await c.check('GET /api/batches/{id}/archive', await fetch(url(`/api/batches/${batch.id}/archive`)));
    await c.check('GET /api/batches/{id}/events', await fetch(url(`/api/batches/${batch.id}/events`)));
    const statuses = c.checked.filter((x) => x.operation.includes('/api/batches')).map((x) => x.status);
    expect(statuses).toEqual(expect.arrayContaining([200, 202, 404, 410, 415, 422]));
  }, 60_000);

  test('admin: stats, their stream, dead letters, and the errors they answer', async () => {
    await c.check('GET /api/admin/stats', await fetch(url('/api/admin/stats'), { headers: admin }));
    await c.check('GET /api/admin/stats/events', await fetch(url('/api/admin/stats/events'), { headers: admin }), 2);
    await c.check('GET /api/admin/stats', await fetch(url('/api/admin/stats')));
    await c.check('GET /api/admin/stats', await fetch(url('/api/admin/stats'), { headers: { ...admin, origin: 'https://elsewhere.example' } }));
    await c.check('GET /api/admin/dead', await fetch(url('/api/admin/dead?limit=0'), { headers: admin }));
    // The broken upload of the uploads test is a dead letter; retried, then discarded once it is dead again.
    const entry = await until('a dead letter', async () => {
      const list = (await c.check('GET /api/admin/dead', await fetch(url('/api/admin/dead'), { headers: admin }))) as Array<{ entry_id?: string; id?: string }>;
      return list[0];
    });
    const entryId = String((entry as Record<string, unknown>).entry_id ?? (entry as Record<string, unknown>).id);
    await c.check('POST /api/admin/dead/{entryId}/retry', await fetch(url(`/api/admin/dead/${entryId}/retry`), { method: 'POST', headers: admin }));
    const again = await until('the retried job to be dead again', async () => {
      const list = (await (await fetch(url('/api/admin/dead'), { headers: admin })).json()) as Array<Record<string, unknown>>;
      return list[0];
    });
    const againId = String(again.entry_id ?? again.id);
    await c.check('DELETE /api/admin/dead/{entryId}', await fetch(url(`/api/admin/dead/${againId}`), { method: 'DELETE', headers: admin }));
    await c.check('DELETE /api/admin/dead/{entryId}', await fetch(url(`/api/admin/dead/${againId}`), { method: 'DELETE', headers: admin }));
    await c.check('POST /api/admin/dead/{entryId}/retry', await fetch(url(`/api/admin/dead/${againId}/retry`), { method: 'POST', headers: admin }));
  }, 60_000);

  test('every operation of the document was called and its answers checked', () => {
    const called = new Set(c.checked.map((x) => x.operation));
    expect(operationsOf(doc).filter((op) => !called.has(op))).toEqual([]);
  });

  test('every 202 names the fields it always carries, and the job streams document only the errors they can answer', () => {
    for (const op of operationsOf(doc).filter((o) => o.startsWith('POST'))) {
      const [method, path] = op.split(' ') as [string, string];
      const accepted = (doc.paths[path] as Record<string, OpenAPIV3.OperationObject>)[method.toLowerCase()]!.responses['202'] as OpenAPIV3.ResponseObject | undefined;
      if (!accepted) continue;
      const schema = accepted.content!['application/json']!.schema as OpenAPIV3.SchemaObject;
      expect([op, [...(schema.required ?? [])].sort()]).toEqual([op, Object.keys(schema.properties!).sort()]);
    }
    const codes = (path: string) => Object.keys(doc.paths[path]!.get!.responses);
    // A malformed id in the path is 404, never 400; an unknown id among `ids` is a `missing` event, never 404.
    expect(codes('/api/images/{id}/events')).toEqual(['200', '404', '503']);
    expect(codes('/api/images/events')).toEqual(['200', '400', '503']);
  });

  test('a field or status the document does not declare fails the check', async () => {
    const strict = new Conformance(doc);
    const extra = new Response(JSON.stringify({ status: 'ok', extra: 1 }), { headers: { 'content-type': 'application/json' } });
    expect(strict.check('GET /healthz', extra)).rejects.toThrow('must NOT have additional properties');
    const teapot = new Response('{}', { status: 418, headers: { 'content-type': 'application/json' } });
    expect(strict.check('GET /healthz', teapot)).rejects.toThrow('answered 418, which the document does not declare');
  });
});
