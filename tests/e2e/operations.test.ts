import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { OPERATIONS } from '../../shared/operations/index.ts';
import { formOf, type Part } from '../support/multipart.ts';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
const cat = () => new Blob([CAT], { type: 'image/jpeg' });

let system: TestSystem;
beforeAll(async () => {
  system = await TestSystem.start();
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

async function accept(path: string, parts: Part[]): Promise<string> {
  const res = await fetch(`${system.baseUrl}${path}`, { method: 'POST', body: formOf(parts) });
  const body = (await res.json()) as { id: string; status: string };
  expect(res.status).toBe(202);
  expect(body.status).toBe('queued');
  return body.id;
}

/** Waits for the job to be done and returns the result's bytes, content type and raw RGB pixels. */
async function result(id: string) {
  const final = await system.waitForJob(id);
  expect(final).toMatchObject({ status: 'done' });
  const res = await fetch(`${system.baseUrl}/api/images/${id}`);
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { bytes, type: res.headers.get('content-type'), data, width: info.width, height: info.height };
}

/** The largest difference between the channels of any pixel: 0 for a perfectly grey image. */
function maxChannelSpread(data: Buffer): number {
  let worst = 0;
  for (let i = 0; i < data.length; i += 3) {
    worst = Math.max(worst, Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!));
  }
  return worst;
}

describe('operations through the real services', () => {
  test('a five-step pipeline (rotate, crop, resize, grayscale, webp) ends done as a grey 200x200 WebP', async () => {
    const operations = JSON.stringify([
      { op: 'rotate', angle: 90 },
      { op: 'crop', aspect: '1:1', gravity: 'attention' },
      { op: 'resize', width: 200 },
      { op: 'grayscale' },
      { op: 'format', type: 'webp', quality: 90 },
    ]);
    const id = await accept('/api/images', [['image', cat()], ['description', 'five steps'], ['operations', operations]]);
    const out = await result(id);
    expect(out.type).toBe('image/webp');
    expect(out.bytes.toString('latin1', 0, 4)).toBe('RIFF');
    expect(out.bytes.toString('latin1', 8, 12)).toBe('WEBP');
    expect([out.width, out.height]).toEqual([200, 200]);
    // Lossy WebP stores colour at quarter resolution; a grey image comes back grey within rounding.
    expect(maxChannelSpread(out.data)).toBeLessThanOrEqual(3);
    const list = (await (await fetch(`${system.baseUrl}/api/images`)).json()) as Array<{ id: string; content_type: string; width: number }>;
    expect(list.find((r) => r.id === id)).toMatchObject({ content_type: 'image/webp', width: 200 });
  });

  test('POST /api/resize scales to the width given, keeping the aspect ratio, as a JPEG', async () => {
    const out = await result(await accept('/api/resize', [['image', cat()], ['width', '320']]));
    expect(out.type).toBe('image/jpeg');
    expect([out.width, out.height]).toEqual([320, 240]);
  });

  test('POST /api/crop cuts out the rectangle given, and stores the description when sent', async () => {
    const id = await accept('/api/crop', [['image', cat()], ['left', '10'], ['top', '20'], ['width', '300'], ['height', '100'], ['description', 'a strip']]);
    const out = await result(id);
    expect([out.width, out.height]).toEqual([300, 100]);
    const list = (await (await fetch(`${system.baseUrl}/api/images?limit=500`)).json()) as Array<{ id: string; description: string }>;
    expect(list.find((r) => r.id === id)?.description).toBe('a strip');
  });

  test('POST /api/grayscale gives R = G = B, its description the operation\'s name', async () => {
    const id = await accept('/api/grayscale', [['image', cat()]]);
    const out = await result(id);
    expect([out.width, out.height]).toEqual([640, 480]);
    expect(maxChannelSpread(out.data)).toBeLessThanOrEqual(2);
    const list = (await (await fetch(`${system.baseUrl}/api/images?limit=500`)).json()) as Array<{ id: string; description: string }>;
    expect(list.find((r) => r.id === id)?.description).toBe('grayscale');
  });

  test('POST /api/watermark lays the mark image over the corner asked for and leaves the rest alone', async () => {
    const mark = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const id = await accept('/api/watermark', [
      ['image', cat()], ['mark', new Blob([new Uint8Array(mark)], { type: 'image/png' }), 'mark.png'],
      ['size', '80'], ['position', 'top-left'], ['margin', '0'], ['opacity', '1'], ['description', 'marked'],
    ]);
    const out = await result(id);
    const plain = await sharp(CAT).raw().toBuffer();
    const at = (data: Buffer, x: number, y: number) => [...data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)];
    const [r, g, b] = at(out.data, 40, 20);
    expect(r).toBeGreaterThan(200);
    expect(g! + b!).toBeLessThan(100);
    // Far from the mark the photo is as it was, give or take the JPEG round trip.
    const diff = at(out.data, 400, 300).map((v, i) => Math.abs(v - at(plain, 400, 300)[i]!));
    expect(Math.max(...diff)).toBeLessThan(12);
  });

  test('a shortcut honours Idempotency-Key: a repeat replays the first id, other parameters under the key are refused', async () => {
    const key = `resize-${crypto.randomUUID()}`;
    const send = (width: string) =>
      fetch(`${system.baseUrl}/api/resize`, { method: 'POST', body: formOf([['image', cat()], ['width', width]]), headers: { 'idempotency-key': key } });
    const first = await send('100');
    const second = await send('100');
    const other = await send('101');
    expect([first.status, second.status, other.status]).toEqual([202, 202, 422]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = (await Promise.all([first.json(), second.json()])) as Array<{ id: string }>;
    expect(b!.id).toBe(a!.id);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
  });

  test('a failing step fails the job, its error and status naming the step', async () => {
    const operations = JSON.stringify([{ op: 'grayscale' }, { op: 'crop', left: 600, top: 0, width: 100, height: 100 }]);
    const id = await accept('/api/images', [['image', cat()], ['description', 'bad crop'], ['operations', operations]]);
    const final = await system.waitForJob(id);
    expect(final.status).toBe('failed');
    expect(final.error).toEqual({
      code: 'operation_failed',
      message: 'step 2/2 crop: the rectangle 100x100 at 600,0 reaches outside the 640x480 image',
    });
    const status = (await (await fetch(`${system.baseUrl}/api/images/${id}/status`)).json()) as { step?: string };
    expect(status.step).toBe('2/2 crop');
    const image = await fetch(`${system.baseUrl}/api/images/${id}`);
    expect(image.status).toBe(409);
  });

  test('an upload without operations is captioned as before, a JPEG with no step in its status', async () => {
    const id = await accept('/api/images', [['image', cat()], ['description', 'the original contract']]);
    const out = await result(id);
    expect(out.type).toBe('image/jpeg');
    expect(out.width).toBe(640);
    expect(out.height).toBeGreaterThan(480);
    const status = (await (await fetch(`${system.baseUrl}/api/images/${id}/status`)).json()) as Record<string, unknown>;
    expect(status.step).toBeUndefined();
  });

  test('Swagger documents the operations field with every operation, and each shortcut with its parameters', async () => {
    type Doc = { paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: { properties: Record<string, { items?: { anyOf?: Array<{ title: string; properties: object }> } }> } }> } } }> };
    const doc = (await (await fetch(`${system.baseUrl}/swagger/json`)).json()) as Doc;
    const form = (path: string) => doc.paths[path]!.post!.requestBody.content['multipart/form-data']!.schema.properties;
    const steps = form('/api/images').operations!.items!.anyOf!;
    expect(steps.map((s) => s.title)).toEqual(OPERATIONS.map((o) => o.name));
    expect(Object.keys(steps.find((s) => s.title === 'resize')!.properties)).toEqual(['op', 'width', 'height', 'fit', 'enlarge', 'background']);
    expect(Object.keys(form('/api/resize'))).toEqual(['image', 'url', 'description', 'width', 'height', 'fit', 'enlarge', 'background', 'callback_url']);
    expect(Object.keys(form('/api/crop'))).toEqual(expect.arrayContaining(['left', 'top', 'width', 'height', 'aspect', 'gravity']));
    expect(Object.keys(form('/api/grayscale'))).toEqual(['image', 'url', 'description', 'callback_url']);
    expect(Object.keys(form('/api/watermark'))).toEqual(expect.arrayContaining(['mark', 'text', 'opacity', 'size', 'position', 'tile']));
  });
});
