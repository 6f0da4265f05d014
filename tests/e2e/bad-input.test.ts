import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TestSystem } from '../support/system.ts';

// MAX_UPLOAD_BYTES is lowered so "too large" needs no huge body in the test.
const MAX_UPLOAD_BYTES = 200_000;
const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer();
const COFFEE = await Bun.file(new URL('../fixtures/coffee-1920x1280.jpg', import.meta.url)).arrayBuffer();

let system: TestSystem;

type Part = [name: string, value: string | Blob, filename?: string];

function jpeg(bytes: ArrayBuffer = CAT): Blob {
  return new Blob([bytes], { type: 'image/jpeg' });
}

function form(parts: Part[]): FormData {
  const f = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') f.append(name, value);
    else f.append(name, value, filename ?? 'photo.jpg');
  }
  return f;
}

interface Case {
  name: string;
  body: () => RequestInit;
  status: number;
  code: string;
  field?: string;
}

const post = (parts: Part[]) => () => ({ method: 'POST', body: form(parts) });
const raw = (contentType: string, body: string) => () => ({ method: 'POST', headers: { 'content-type': contentType }, body });

const UPLOAD_CASES: Case[] = [
  { name: 'no image part', body: post([['description', 'x']]), status: 422, code: 'missing_field', field: 'image' },
  { name: 'an empty image file', body: post([['image', jpeg(new ArrayBuffer(0))], ['description', 'x']]), status: 422, code: 'empty_file', field: 'image' },
  { name: 'two image parts', body: post([['image', jpeg()], ['image', jpeg()], ['description', 'x']]), status: 422, code: 'too_many_files', field: 'image' },
  { name: 'the image sent as a text field', body: post([['image', 'not a file'], ['description', 'x']]), status: 422, code: 'not_a_file', field: 'image' },
  { name: 'wrong field names', body: post([['photo', jpeg()], ['text', 'x']]), status: 422, code: 'missing_field', field: 'image' },
  { name: 'a text file as the image', body: post([['image', new Blob(['hello, world'], { type: 'text/plain' }), 'a.txt'], ['description', 'x']]), status: 415, code: 'unsupported_media_type' },
  { name: 'an image over MAX_UPLOAD_BYTES', body: post([['image', jpeg(COFFEE)], ['description', 'x']]), status: 413, code: 'payload_too_large' },
  { name: 'no description', body: post([['image', jpeg()]]), status: 422, code: 'missing_field', field: 'description' },
  { name: 'a description of only spaces', body: post([['image', jpeg()], ['description', '   ']]), status: 422, code: 'blank', field: 'description' },
  { name: 'a description of 201 characters', body: post([['image', jpeg()], ['description', 'я'.repeat(201)]]), status: 422, code: 'too_long', field: 'description' },
  { name: 'a description with NUL', body: post([['image', jpeg()], ['description', 'a\u0000b']]), status: 422, code: 'invalid_characters', field: 'description' },
  { name: 'a description with an escape character', body: post([['image', jpeg()], ['description', 'a\u001bb']]), status: 422, code: 'invalid_characters', field: 'description' },
  { name: 'a description sent as a file', body: post([['image', jpeg()], ['description', new Blob(['x']), 'd.txt']]), status: 422, code: 'not_text', field: 'description' },
  { name: 'two descriptions', body: post([['image', jpeg()], ['description', 'a'], ['description', 'b']]), status: 422, code: 'too_many_values', field: 'description' },
  { name: 'a JSON body', body: raw('application/json', '{"description":"x"}'), status: 415, code: 'unsupported_content_type' },
  { name: 'no Content-Type', body: () => ({ method: 'POST', body: new Uint8Array([1, 2, 3]) }), status: 415, code: 'unsupported_content_type' },
  { name: 'a malformed multipart body', body: raw('multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc'), status: 400, code: 'malformed_multipart' },
];

const READ_CASES: { name: string; path: string; status: number; code: string }[] = [
  { name: 'an unknown UUID', path: '/api/images/01900000-0000-7000-8000-000000000000', status: 404, code: 'not_found' },
  { name: 'a non-UUID id', path: '/api/images/42', status: 404, code: 'not_found' },
  { name: 'a path traversal id', path: '/api/images/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'not_found' },
  { name: 'a NUL id', path: '/api/images/%00', status: 404, code: 'not_found' },
  { name: 'the status of an unknown id', path: '/api/images/01900000-0000-7000-8000-000000000000/status', status: 404, code: 'not_found' },
  { name: 'limit=-1', path: '/api/images?limit=-1', status: 400, code: 'invalid_query' },
  { name: 'limit=abc', path: '/api/images?limit=abc', status: 400, code: 'invalid_query' },
  { name: 'limit=100000', path: '/api/images?limit=100000', status: 400, code: 'invalid_query' },
  { name: 'limit=0', path: '/api/images?limit=0', status: 400, code: 'invalid_query' },
  { name: 'a forged cursor', path: '/api/images?cursor=bm90LWEtY3Vyc29y', status: 400, code: 'invalid_query' },
  { name: 'an unknown route', path: '/api/nothing-here', status: 404, code: 'route_not_found' },
];

beforeAll(async () => {
  system = await TestSystem.start({ env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
});

afterAll(async () => {
  await system?.stop();
});

describe('bad uploads get a clear 4xx naming the problem', () => {
  for (const c of UPLOAD_CASES) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await fetch(`${system.baseUrl}/api/images`, c.body());
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
      expect(body.error.code).toBe(c.code);
      expect(body.error.message.length).toBeGreaterThan(5);
      if (c.field) expect(body.error.field).toBe(c.field);
    });
  }
});

describe('bad reads get a JSON 4xx, never a 500', () => {
  for (const c of READ_CASES) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await fetch(`${system.baseUrl}${c.path}`);
      expect(res.status).toBe(c.status);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe(c.code);
    });
  }
});

describe('good edge cases are accepted', () => {
  const accepted: [string, string][] = [
    ['exactly 200 Cyrillic letters', 'ж'.repeat(200)],
    ['200 emoji', '🙂'.repeat(200)],
    ['combining characters', 'e\u0301 a\u0308 n\u0303'],
    ['right-to-left text', 'שלום עולם مرحبا بالعالم'],
    ['one 200-character word', 'w'.repeat(200)],
    ['an HTML/script string', '<script>alert(1)</script> & <b>bold</b>'],
    ['tabs and line feeds', 'line one\nline two\tand a tab'],
  ];
  for (const [name, description] of accepted) {
    test(`${name} is accepted, captioned and stored verbatim`, async () => {
      const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form([['image', jpeg()], ['description', description]]) });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      expect((await system.waitForJob(id)).status).toBe('done');
      const list = (await (await fetch(`${system.baseUrl}/api/images?limit=500`)).json()) as { id: string; description: string }[];
      // The multipart encoder turns line feeds into CRLF on the wire; kadr keeps what arrived.
      expect(list.find((i) => i.id === id)?.description.replace(/\r\n/g, '\n')).toBe(description);
    });
  }
});

test('after all the bad input every service is still running and nothing was stored from it', async () => {
  expect(system.allAlive()).toBe(true);
  expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(200);
  const list = (await (await fetch(`${system.baseUrl}/api/images?limit=500`)).json()) as unknown[];
  expect(list.length).toBe(7);
});
