import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { networkInterfaces } from 'node:os';
import { TestSystem } from '../support/system.ts';

const BROKEN = (await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes()).subarray(0, 600);

/** An address of this machine that is not loopback: a request to it arrives from a non-loopback peer. */
function outsideAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this test needs a network interface besides loopback to call the API from a non-loopback address');
}

let system: TestSystem;
let outside: string;
let entryId: string;

beforeAll(async () => {
  // Listening on every interface, as compose does, and with no ADMIN_TOKEN.
  system = await TestSystem.start({ env: { HOST: '0.0.0.0' } });
  outside = `http://${outsideAddress()}:${new URL(system.baseUrl).port}`;
  const form = new FormData();
  form.append('image', new Blob([BROKEN], { type: 'image/jpeg' }), 'broken.jpg');
  form.append('description', 'dead letter');
  const { id } = (await (await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form })).json()) as { id: string };
  await system.waitForJob(id);
  const dead = (await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ entry_id: string; job_id: string }>;
  entryId = dead.find((d) => d.job_id === id)!.entry_id;
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const deadIds = async () =>
  ((await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ entry_id: string }>).map((d) => d.entry_id);

describe('admin endpoints without ADMIN_TOKEN', () => {
  test('the api warns at boot that they answer loopback clients only', () => {
    expect(system.service('api').output.join('')).toContain('ADMIN_TOKEN is not set');
  });

  test('answer a loopback client, and refuse a client from another address with 403 loopback_only and a reason', async () => {
    expect((await fetch(`${system.baseUrl}/api/admin/stats`)).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/dead'],
      ['POST', `/api/admin/dead/${entryId}/retry`],
      ['DELETE', `/api/admin/dead/${entryId}`],
    ] as const) {
      const res = await fetch(`${outside}${path}`, { method, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(403);
      const error = await errorOf(res);
      expect(error.code).toBe('loopback_only');
      expect(error.message).toContain('ADMIN_TOKEN');
    }
    // The public endpoints still answer everyone.
    expect((await fetch(`${outside}/readyz`)).status).toBe(200);
    expect(await deadIds()).toContain(entryId);
  });

  test('a cross-site form POST cannot retry a dead letter: a foreign Origin is 403, a form content type 415', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreign = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, {
      method: 'POST', headers: { ...form, origin: 'https://evil.example' }, body: 'x=1',
    });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).code).toBe('foreign_origin');
    const simple = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, { method: 'POST', headers: form, body: 'x=1' });
    expect(simple.status).toBe(415);
    expect((await errorOf(simple)).code).toBe('json_required');
    const discard = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}`, { method: 'DELETE', headers: { origin: 'null' } });
    expect(discard.status).toBe(403);
    expect(await deadIds()).toContain(entryId);
    // The dashboard's own request (same origin, JSON) goes through.
    const own = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: system.baseUrl },
    });
    expect(own.status).toBe(200);
  });
});
