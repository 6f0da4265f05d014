import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TestSystem } from '../support/system.ts';
import { measureBand } from '../support/pixels.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const CYRILLIC = 'С начала фазы запрещающего сигнала прошло: 7 секунд';
const LONG = 'A much longer description that needs several lines in the band under the photo, because it is far wider than the photo is: '
  + 'kadr wraps it at word boundaries and grows the band to fit every line.';

let system: TestSystem;

async function fixture(name: string): Promise<Blob> {
  return new Blob([await Bun.file(new URL(name, FIXTURES)).arrayBuffer()], { type: 'image/jpeg' });
}

async function upload(name: string, description: string): Promise<{ res: Response; body: { id: string; status: string } }> {
  const form = new FormData();
  form.append('image', await fixture(name), name);
  form.append('description', description);
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  return { res, body: (await res.json()) as { id: string; status: string } };
}

beforeAll(async () => {
  system = await TestSystem.start({ processors: 2 });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

describe('captioning pipeline through the real services', () => {
  test('an upload answers 202 with a UUIDv7 id and a Location at once, and ends done', async () => {
    const { res, body } = await upload('cat-640x480.jpg', CYRILLIC);
    expect(res.status).toBe(202);
    expect(body.status).toBe('queued');
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.get('location')).toBe(`/api/images/${body.id}/status`);
    expect((await system.waitForJob(body.id)).status).toBe('done');
  });

  test('the processed image is the photo with a black band holding white text, as wide as the photo', async () => {
    const { body } = await upload('cat-640x480.jpg', CYRILLIC);
    await system.waitForJob(body.id);
    const res = await fetch(`${system.baseUrl}/api/images/${body.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const jpeg = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(jpeg.length);
    const band = await measureBand(jpeg, 480);
    expect(band.width).toBe(640);
    expect(band.height).toBeGreaterThan(480 + 20);
    expect(band.height).toBeLessThan(480 + 40);
    expect(band.darkShare).toBeGreaterThan(0.8);
    expect(band.whitePixels).toBeGreaterThan(100);
  });

  test('a longer description gives a taller band, and a portrait photo keeps its width', async () => {
    const { body } = await upload('rocket-480x640.jpg', LONG);
    await system.waitForJob(body.id);
    const jpeg = new Uint8Array(await (await fetch(`${system.baseUrl}/api/images/${body.id}`)).arrayBuffer());
    const band = await measureBand(jpeg, 640);
    expect(band.width).toBe(480);
    expect(band.height - 640).toBeGreaterThan(60);
    expect(band.darkShare).toBeGreaterThan(0.75);
  });

  test('the status walks to done and carries the receipt and update times', async () => {
    const { body } = await upload('astronaut-640x480.jpg', 'status check');
    await system.waitForJob(body.id);
    const res = await fetch(`${system.baseUrl}/api/images/${body.id}/status`);
    const status = (await res.json()) as Record<string, string>;
    expect(status.status).toBe('done');
    expect(status.id).toBe(body.id);
    expect(Date.parse(status.received_at!)).not.toBeNaN();
    expect(Date.parse(status.updated_at!)).toBeGreaterThanOrEqual(Date.parse(status.received_at!));
  });

  test('the list is newest first with ISO times, descriptions verbatim, and pages by a Link header', async () => {
    const ids: string[] = [];
    for (const d of ['first <b>page</b>', "'; DROP TABLE images; --", '🙂 emoji and עברית']) {
      const { body } = await upload('cat-640x480.jpg', d);
      await system.waitForJob(body.id);
      ids.push(body.id);
    }
    const res = await fetch(`${system.baseUrl}/api/images?limit=2`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { id: string; received_at: string; description: string }[];
    expect(page.map((p) => p.id)).toEqual([ids[2]!, ids[1]!]);
    expect(page[0]!.description).toBe('🙂 emoji and עברית');
    expect(page[1]!.description).toBe("'; DROP TABLE images; --");
    expect(page[0]!.received_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    const link = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '');
    expect(link).not.toBeNull();
    const next = (await (await fetch(`${system.baseUrl}${link![1]!}`)).json()) as { id: string }[];
    expect(next[0]!.id).toBe(ids[0]!);
    const all = (await (await fetch(`${system.baseUrl}/api/images?limit=500`)).json()) as { id: string }[];
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
  });

  test('an image already fetched answers 304 to its ETag', async () => {
    const { body } = await upload('cat-640x480.jpg', 'etag');
    await system.waitForJob(body.id);
    const first = await fetch(`${system.baseUrl}/api/images/${body.id}`);
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${system.baseUrl}/api/images/${body.id}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  test('a file that is not a decodable image is accepted, then its job fails with the reason', async () => {
    const form = new FormData();
    // JPEG magic bytes followed by garbage: passes the API's sniffing, fails decoding.
    form.append('image', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8])], { type: 'image/jpeg' }), 'broken.jpg');
    form.append('description', 'broken');
    const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const final = await system.waitForJob(id);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('image_undecodable');
    expect(final.error?.message.length).toBeGreaterThan(10);
    const image = await fetch(`${system.baseUrl}/api/images/${id}`);
    expect(image.status).toBe(409);
    expect(((await image.json()) as { error: { code: string } }).error.code).toBe('job_failed');
  });

  test('health answers 200 and readiness confirms Redis and PostgreSQL', async () => {
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(200);
    expect(system.allAlive()).toBe(true);
  });

  test('Swagger UI is served and the OpenAPI document lists every endpoint with its errors', async () => {
    const ui = await fetch(`${system.baseUrl}/swagger`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
    };
    const paths = doc.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/images', '/api/images/{id}', '/api/images/{id}/status', '/healthz', '/readyz']),
    );
    expect(Object.keys(paths['/api/images']!.post!.responses)).toEqual(expect.arrayContaining(['202', '400', '413', '415', '422', '503']));
    expect(Object.keys(paths['/api/images']!.get!.responses)).toEqual(expect.arrayContaining(['200', '400']));
    expect(Object.keys(paths['/api/images/{id}']!.get!.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(Object.keys(paths['/api/images/{id}/status']!.get!.responses)).toEqual(expect.arrayContaining(['200', '404']));
  });
});
