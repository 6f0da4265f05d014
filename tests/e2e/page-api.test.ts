import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { uploadDone } from '../support/downloads.ts';
import { measureBand } from '../support/pixels.ts';
import { TestSystem } from '../support/system.ts';

// What the page reads beyond uploads: the operations' schemas, thumbnails, clear failure reasons.
let system: TestSystem;
beforeAll(async () => {
  system = await TestSystem.start();
}, 90_000);
afterAll(() => system?.stop());

describe('the operations catalogue', () => {
  test('GET /api/operations lists every operation with the JSON schema of its parameters', async () => {
    const res = await fetch(`${system.baseUrl}/api/operations`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { max_steps: number; operations: Array<{ name: string; params: { properties: Record<string, unknown>; required?: string[] } }> };
    expect(body.max_steps).toBe(20);
    expect(body.operations.map((o) => o.name)).toContain('resize');
    const resize = body.operations.find((o) => o.name === 'resize')!;
    expect(resize.params.properties.width).toMatchObject({ type: 'integer', minimum: 1, maximum: 16384 });
    expect(body.operations.find((o) => o.name === 'format')!.params.required).toEqual(['type']);
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/operations');
    expect(Object.keys(doc.paths)).toContain('/api/images/{id}/thumbnail');
  });
});

describe('thumbnails', () => {
  let id: string;
  let thumb: string;
  beforeAll(async () => {
    id = await uploadDone(system, 'coffee-1920x1280.jpg');
    thumb = `${system.baseUrl}/api/images/${id}/thumbnail`;
  }, 60_000);

  test('each processed image is listed with a thumbnail_url, a JPEG of at most 320 px made once and stored beside it', async () => {
    const list = (await (await fetch(`${system.baseUrl}/api/images`)).json()) as Array<{ id: string; width: number; height: number; thumbnail_url: string | null }>;
    const listed = list.find((i) => i.id === id)!;
    expect(listed.thumbnail_url).toBe(`/api/images/${id}/thumbnail`);
    const res = await fetch(thumb);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('etag')).toBe(`"${id}.thumb"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    // The captioned photo (1920 px wide, its band under it), scaled to 320 px on its longer side.
    expect([meta.format, meta.width]).toEqual(['jpeg', 320]);
    expect(Math.abs(meta.height! - (320 * listed.height) / listed.width)).toBeLessThanOrEqual(1);
    // Measured, not compared: below the photo's 1280 / 6 rows, the band is still black.
    expect((await measureBand(bytes, Math.ceil((1280 * 320) / listed.width))).darkShare).toBeGreaterThan(0.7);
    expect((await system.objects()).filter((k) => k.startsWith(id)).sort()).toEqual([`${id}.jpg`, `${id}.thumb.jpg`]);
    expect(await system.store().read(`${id}.thumb.jpg`)).toEqual(bytes);
  });

  test('the thumbnail answers like the image: 304 on its ETag, one range 206, HEAD with its length', async () => {
    expect((await fetch(thumb, { headers: { 'if-none-match': `"${id}.thumb"` } })).status).toBe(304);
    // The image's own tag is another representation.
    expect((await fetch(thumb, { headers: { 'if-none-match': `"${id}"` } })).status).toBe(200);
    const part = await fetch(thumb, { headers: { range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...(await system.store().read(`${id}.thumb.jpg`))!.subarray(0, 4)]);
    const head = await fetch(thumb, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe((await system.store().read(`${id}.thumb.jpg`))!.byteLength);
  });

  test('an unknown id has no thumbnail (404)', async () => {
    const res = await fetch(`${system.baseUrl}/api/images/${Bun.randomUUIDv7()}/thumbnail`);
    expect(res.status).toBe(404);
  });
});

describe('failure reasons', () => {
  test("a cut-short photo fails with one clear sentence; libvips' words are kept in the dead letter's detail", async () => {
    const cat = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
    const form = new FormData();
    form.append('image', new Blob([cat.subarray(0, 600)], { type: 'image/jpeg' }), 'half.jpg');
    form.append('description', 'half a cat');
    const { id } = (await (await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form })).json()) as { id: string };
    const job = await system.waitForJob(id);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'image_undecodable', message: 'The image file is cut short or damaged and cannot be decoded.' } });
    const dead = (await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ job_id: string; error: { message: string; detail?: string } }>;
    const letter = dead.find((d) => d.job_id === id)!;
    expect(letter.error.message).toBe('The image file is cut short or damaged and cannot be decoded.');
    expect(letter.error.detail).toContain('premature end of JPEG image');
    // Each of libvips' lines once, though it wrote some of them several times.
    expect(letter.error.detail!.match(/premature end of JPEG image/g)).toHaveLength(1);
  }, 60_000);
});
