import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rawHttp } from '../support/raw-http.ts';
import { formOf } from '../support/multipart.ts';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const UNKNOWN = '01900000-0000-7000-8000-000000000000';
let system: TestSystem;

interface Read {
  name: string;
  path: string;
  method?: string;
  status: number;
  code: string;
}

const READS: Read[] = [
  { name: 'a UUID that does not exist', path: `/api/images/${UNKNOWN}`, status: 404, code: 'not_found' },
  { name: 'the status of a UUID that does not exist', path: `/api/images/${UNKNOWN}/status`, status: 404, code: 'not_found' },
  { name: 'a non-UUID id', path: '/api/images/42', status: 404, code: 'not_found' },
  { name: 'a UUID with a suffix', path: `/api/images/${UNKNOWN}.jpg`, status: 404, code: 'not_found' },
  { name: 'the id ../../etc/passwd, slashes encoded', path: '/api/images/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'not_found' },
  { name: 'the id ../../etc/passwd, every character encoded', path: '/api/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd', status: 404, code: 'not_found' },
  { name: 'the status of ../../etc/passwd', path: '/api/images/..%2F..%2Fetc%2Fpasswd/status', status: 404, code: 'not_found' },
  { name: 'the id %00', path: '/api/images/%00', status: 404, code: 'not_found' },
  { name: 'a UUID followed by %00', path: `/api/images/${UNKNOWN}%00`, status: 404, code: 'not_found' },
  { name: 'limit=-1', path: '/api/images?limit=-1', status: 400, code: 'invalid_query' },
  { name: 'limit=abc', path: '/api/images?limit=abc', status: 400, code: 'invalid_query' },
  { name: 'limit=100000', path: '/api/images?limit=100000', status: 400, code: 'invalid_query' },
  { name: 'limit=0', path: '/api/images?limit=0', status: 400, code: 'invalid_query' },
  { name: 'limit=1.5', path: '/api/images?limit=1.5', status: 400, code: 'invalid_query' },
  { name: 'an empty limit', path: '/api/images?limit=', status: 400, code: 'invalid_query' },
  { name: 'a forged cursor', path: '/api/images?cursor=bm90LWEtY3Vyc29y', status: 400, code: 'invalid_query' },
  { name: 'an unknown route', path: '/api/nothing-here', status: 404, code: 'route_not_found' },
  { name: 'a DELETE of an image', path: `/api/images/${UNKNOWN}`, method: 'DELETE', status: 404, code: 'route_not_found' },
];

beforeAll(async () => {
  system = await TestSystem.start();
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

describe('bad reads get a JSON 4xx with nosniff, never a 500', () => {
  for (const c of READS) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await fetch(`${system.baseUrl}${c.path}`, { method: c.method ?? 'GET' });
      expect(res.status).toBe(c.status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(c.code);
      expect(system.allAlive()).toBe(true);
    });
  }

  test('an unencoded ../../etc/passwd sent as is on the wire never reaches a file', async () => {
    const res = await rawHttp(system.baseUrl, 'GET /api/images/../../etc/passwd HTTP/1.1\r\nHost: kadr\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).not.toContain('root:');
  });
});

describe('every kind of answer carries X-Content-Type-Options: nosniff', () => {
  let done: string;
  let failed: string;

  async function post(image: Uint8Array<ArrayBuffer>): Promise<Response> {
    const body = formOf([['image', new Blob([image])], ['description', 'headers']]);
    return fetch(`${system.baseUrl}/api/images`, { method: 'POST', body });
  }

  beforeAll(async () => {
    done = ((await (await post(CAT)).json()) as { id: string }).id;
    failed = ((await (await post(CAT.slice(0, 3000))).json()) as { id: string }).id;
    await system.waitForJob(done);
    await system.waitForJob(failed);
  });

  const answers: Array<[string, () => Promise<Response>, number]> = [
    ['202 accepted upload', () => post(CAT), 202],
    ['200 image', () => fetch(`${system.baseUrl}/api/images/${done}`), 200],
    ['304 not modified', () => fetch(`${system.baseUrl}/api/images/${done}`, { headers: { 'if-none-match': `"${done}"` } }), 304],
    ['200 status', () => fetch(`${system.baseUrl}/api/images/${done}/status`), 200],
    ['200 list', () => fetch(`${system.baseUrl}/api/images`), 200],
    ['409 failed job', () => fetch(`${system.baseUrl}/api/images/${failed}`), 409],
    ['404 unknown id', () => fetch(`${system.baseUrl}/api/images/${UNKNOWN}`), 404],
    ['404 unknown route', () => fetch(`${system.baseUrl}/no/such/route`), 404],
    ['415 upload error', () => fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: 'x' }), 415],
    ['200 health', () => fetch(`${system.baseUrl}/healthz`), 200],
    ['200 readiness', () => fetch(`${system.baseUrl}/readyz`), 200],
    ['200 Swagger UI', () => fetch(`${system.baseUrl}/swagger`), 200],
    ['200 OpenAPI document', () => fetch(`${system.baseUrl}/swagger/json`), 200],
  ];
  for (const [name, send, status] of answers) {
    test(`on a ${name}`, async () => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });
  }
});
