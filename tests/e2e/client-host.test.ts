import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const TOKEN = 'host-test-token-0123456789';
const EVIL = 'evil.example';

let system: TestSystem;

beforeAll(async () => {
  system = await TestSystem.start({ env: { ADMIN_TOKEN: TOKEN } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

/** A request whose Host header names another site, as a client (or a poisoning proxy) can send. */
async function asEvil(path: string, init: RequestInit = {}): Promise<{ res: Response; text: string }> {
  const headers = new Headers(init.headers);
  headers.set('host', EVIL);
  headers.set('authorization', `Bearer ${TOKEN}`);
  const res = await fetch(`${system.baseUrl}${path}`, { ...init, headers, signal: AbortSignal.timeout(15_000) });
  return { res, text: await res.text() };
}

function expectNoEvil({ res, text }: { res: Response; text: string }): void {
  for (const [name, value] of res.headers) expect(`${name}: ${value}`).not.toContain(EVIL);
  expect(text).not.toContain(EVIL);
}

function form(count: number, broken = false): FormData {
  const f = new FormData();
  for (let i = 0; i < count; i++) {
    f.append('image', new Blob([broken ? CAT.subarray(0, 600) : CAT], { type: 'image/jpeg' }), `cat-${i}.jpg`);
  }
  f.append('description', 'host');
  return f;
}

function single(broken = false): FormData {
  const f = new FormData();
  f.append('image', new Blob([broken ? CAT.subarray(0, 600) : CAT], { type: 'image/jpeg' }), 'cat.jpg');
  f.append('description', 'host');
  return f;
}

describe('a client-chosen Host header', () => {
  test('never shows up in any header or body: Location, status_url, image_url, archive_url, Link, events', async () => {
    const uploads = [];
    for (let i = 0; i < 2; i++) {
      const answer = await asEvil('/api/images', { method: 'POST', body: single() });
      expect(answer.res.status).toBe(202);
      expect(answer.res.headers.get('location')).toStartWith('/api/images/');
      expectNoEvil(answer);
      uploads.push(JSON.parse(answer.text) as { id: string; status_url: string; image_url: string });
    }
    for (const u of uploads) await system.waitForJob(u.id);
    const status = await asEvil(`/api/images/${uploads[0]!.id}/status`);
    expect(JSON.parse(status.text).image_url).toBe(`/api/images/${uploads[0]!.id}`);
    expectNoEvil(status);
    const list = await asEvil('/api/images?limit=1');
    expect(list.res.headers.get('link')).toStartWith('</api/images?limit=1&cursor=');
    expectNoEvil(list);
    expectNoEvil(await asEvil(`/api/images/events?ids=${uploads.map((u) => u.id).join(',')}`));

    const batch = await asEvil('/api/batches', { method: 'POST', body: form(2) });
    expect(batch.res.status).toBe(202);
    expectNoEvil(batch);
    const { id } = JSON.parse(batch.text) as { id: string };
    await until('the batch completes', async () => JSON.parse((await asEvil(`/api/batches/${id}`)).text).status === 'complete', 30_000);
    const snapshot = await asEvil(`/api/batches/${id}`);
    expect(JSON.parse(snapshot.text).archive_url).toBe(`/api/batches/${id}/archive`);
    expectNoEvil(snapshot);
    expectNoEvil(await asEvil(`/api/batches/${id}/events`));

    for (let i = 0; i < 2; i++) await system.waitForJob(JSON.parse((await asEvil('/api/images', { method: 'POST', body: single(true) })).text).id);
    const dead = await asEvil('/api/admin/dead?limit=1');
    expect(dead.res.status).toBe(200);
    expect(dead.res.headers.get('link')).toStartWith('</api/admin/dead?limit=1&cursor=');
    expectNoEvil(dead);
  });
});
