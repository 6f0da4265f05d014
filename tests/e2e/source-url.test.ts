import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { measureBand } from '../support/pixels.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { withHostsEntries } from '../support/etc-hosts.ts';
import { StatusWatch } from '../support/status-watch.ts';
import { TestSystem } from '../support/system.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const MAX_UPLOAD_BYTES = 200_000;

let source: ScriptedSource;
let system: TestSystem;
let watch: StatusWatch;
let cat: Uint8Array<ArrayBuffer>;
let coffee: Uint8Array<ArrayBuffer>;

const at = (path: string) => source.url(path);

beforeAll(async () => {
  cat = new Uint8Array(await Bun.file(new URL('cat-640x480.jpg', FIXTURES)).arrayBuffer());
  coffee = new Uint8Array(await Bun.file(new URL('coffee-1920x1280.jpg', FIXTURES)).arrayBuffer());
  source = ScriptedSource.start();
  // The guard refuses loopback and this port unless told otherwise, as it would in production.
  system = await TestSystem.start({
    env: {
      FETCH_ALLOW_NETWORKS: '127.0.0.1/32',
      FETCH_ALLOW_PORTS: String(source.port),
      FETCH_TIMEOUT_MS: '5000',
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    },
  });
  watch = await StatusWatch.open(system);
}, 60_000);

afterAll(async () => {
  await watch?.close();
  await system?.stop();
  source?.stop();
});

async function post(path: string, fields: Array<[string, string | Blob]>): Promise<{ res: Response; body: Record<string, any> }> {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  const res = await fetch(`${system.baseUrl}${path}`, { method: 'POST', body: form });
  return { res, body: (await res.json()) as Record<string, any> };
}

describe('an image given by URL, through the real services', () => {
  test('is fetched by the processor and captioned: 202 at once, fetching before processing, the band measured', async () => {
    source.answers['/cat.jpg'] = [() => new Response(cat, { headers: { 'content-type': 'image/jpeg' } })];
    const { res, body } = await post('/api/images', [['url', at('/cat.jpg')], ['description', 'A cat fetched from its address']]);
    expect(res.status).toBe(202);
    expect(body.status).toBe('queued');
    expect((await system.waitForJob(body.id)).status).toBe('done');
    const seen = watch.history.get(body.id) ?? [];
    expect(seen.indexOf('fetching')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('fetching')).toBeLessThan(seen.indexOf('processing'));
    const image = await fetch(`${system.baseUrl}/api/images/${body.id}`);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const band = await measureBand(new Uint8Array(await image.arrayBuffer()), 480);
    expect(band.width).toBe(640);
    expect(band.height).toBeGreaterThan(480 + 20);
    expect(band.darkShare).toBeGreaterThan(0.8);
    expect(band.whitePixels).toBeGreaterThan(100);
  });

  test('a shortcut takes a url too', async () => {
    source.answers['/grey.jpg'] = [() => new Response(cat)];
    const { res, body } = await post('/api/grayscale', [['url', at('/grey.jpg')]]);
    expect(res.status).toBe(202);
    expect((await system.waitForJob(body.id)).status).toBe('done');
    const image = new Uint8Array(await (await fetch(`${system.baseUrl}/api/images/${body.id}`)).arrayBuffer());
    const { channels } = await sharp(image).stats();
    // Grey: the three channels agree (within JPEG's rounding).
    expect(Math.abs(channels[0]!.mean - channels[2]!.mean)).toBeLessThan(2);
  });

  test('a batch mixes a file and a url, each done', async () => {
    source.answers['/batch.jpg'] = [() => new Response(cat)];
    const { res, body } = await post('/api/batches', [
      ['url', at('/batch.jpg')],
      ['image', new Blob([cat], { type: 'image/jpeg' })],
      ['description', 'from its address'],
      ['description', 'uploaded'],
    ]);
    expect(res.status).toBe(202);
    expect(body.image_count).toBe(2);
    for (let i = 0; ; i++) {
      const batch = (await (await fetch(`${system.baseUrl}/api/batches/${body.id}`)).json()) as { status: string; jobs: Array<{ status: string }> };
      if (batch.status !== 'running') {
        expect(batch.jobs.map((j) => j.status)).toEqual(['done', 'done']);
        break;
      }
      if (i > 600) throw new Error('batch not finished in 30 s');
      await Bun.sleep(50);
    }
    expect(source.served['/batch.jpg']).toBe(1);
  });

  test('a 404 fails the job permanently as source_http_error, asked for once', async () => {
    const { body } = await post('/api/images', [['url', at('/missing.jpg')], ['description', 'gone']]);
    const job = await system.waitForJob(body.id);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('source_http_error');
    expect(job.error?.message).toContain('HTTP 404');
    expect(source.served['/missing.jpg']).toBe(1);
  });

  test('a source answering 500 and then 200 is retried and the job ends done', async () => {
    source.answers['/flaky.jpg'] = [() => new Response('busy', { status: 500 }), () => new Response(cat)];
    const { body } = await post('/api/images', [['url', at('/flaky.jpg')], ['description', 'second time lucky']]);
    expect((await system.waitForJob(body.id)).status).toBe('done');
    expect(source.served['/flaky.jpg']).toBe(2);
  });

  test('a body over MAX_UPLOAD_BYTES fails as source_too_large', async () => {
    expect(coffee.byteLength).toBeGreaterThan(MAX_UPLOAD_BYTES);
    // Streamed without a Content-Length, so the limit is met while reading.
    source.answers['/big.jpg'] = [() => new Response(new Blob([coffee]).stream())];
    const { body } = await post('/api/images', [['url', at('/big.jpg')], ['description', 'too big']]);
    const job = await system.waitForJob(body.id);
    expect([job.status, job.error?.code]).toEqual(['failed', 'source_too_large']);
  });

  test('a body that is not an image fails as source_not_image', async () => {
    source.answers['/page.html'] = [() => new Response('<!doctype html><p>Log in to see this photo</p>', { headers: { 'content-type': 'text/html' } })];
    const { body } = await post('/api/images', [['url', at('/page.html')], ['description', 'a web page']]);
    const job = await system.waitForJob(body.id);
    expect([job.status, job.error?.code]).toEqual(['failed', 'source_not_image']);
  });
});

describe('the guard at the API', () => {
  test.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', 'http://10.0.0.1/cat.jpg'],
    ['the IPv6 loopback', `http://[::1]:${80}/cat.jpg`],
    ['an allowed address on a port not allowed', 'http://127.0.0.1:6379/'],
    ['a decimal spelling of 127.0.0.2', 'http://2130706434/cat.jpg'],
  ])('refuses %s with 422 source_forbidden and queues nothing', async (_what, url) => {
    const before = source.served['/cat.jpg'] ?? 0;
    const { res, body } = await post('/api/images', [['url', url], ['description', 'no']]);
    expect(res.status).toBe(422);
    expect(body.error.code).toBe('source_forbidden');
    expect(body.error.field).toBe('url');
    expect(source.served['/cat.jpg'] ?? 0).toBe(before);
  });

  test('a host name is judged by what it resolves to (/etc/hosts entries made by the test)', async () => {
    const refused = `kadr-private-${process.pid}.test`;
    const allowed = `kadr-images-${process.pid}.test`;
    source.answers['/named.jpg'] = [() => new Response(cat)];
    await withHostsEntries({ [refused]: '10.1.2.3', [allowed]: '127.0.0.1' }, async () => {
      const no = await post('/api/images', [['url', `http://${refused}/cat.jpg`], ['description', 'no']]);
      expect(no.res.status).toBe(422);
      expect(no.body.error.code).toBe('source_forbidden');
      expect(no.body.error.message).toContain(`${refused} resolves to 10.1.2.3`);
      const yes = await post('/api/images', [['url', `http://${allowed}:${source.port}/named.jpg`], ['description', 'by name']]);
      expect(yes.res.status).toBe(202);
      expect((await system.waitForJob(yes.body.id)).status).toBe('done');
    });
    expect(source.served['/named.jpg']).toBe(1);
  });

  test('a batch with one refused url is refused whole, naming its place', async () => {
    const { res, body } = await post('/api/batches', [
      ['url', at('/batch.jpg')],
      ['url', 'http://192.168.1.1/router.jpg'],
      ['description', 'x'],
    ]);
    expect(res.status).toBe(422);
    expect([body.error.code, body.error.field]).toEqual(['source_forbidden', 'url[1]']);
  });

  test('both an image and a url is 422 naming url', async () => {
    const { res, body } = await post('/api/images', [['url', at('/cat.jpg')], ['image', new Blob([cat])], ['description', 'x']]);
    expect(res.status).toBe(422);
    expect([body.error.code, body.error.field]).toEqual(['conflicting_fields', 'url']);
  });
});
