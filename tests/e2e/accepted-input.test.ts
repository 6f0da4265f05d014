import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { encoded } from '../support/images.ts';
import { measureBand } from '../support/pixels.ts';
import { formOf } from '../support/multipart.ts';
import { TestSystem } from '../support/system.ts';

const CAT = await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).bytes();
let system: TestSystem;

interface Accepted {
  name: string;
  image: Uint8Array<ArrayBuffer>;
  description: string;
  /** `done` with the photo's size, or the code the job fails with. */
  ends: { done: [width: number, height: number] } | { failed: string };
  /** What the list returns, when it is not the description byte for byte. */
  stored?: string;
}

const photo = async (format: 'png' | 'webp' | 'gif', options = {}) => new Uint8Array(await encoded(format, 96, 64, options));
const cat = (description: string, stored?: string): Omit<Accepted, 'name'> => ({ image: CAT, description, ends: { done: [640, 480] }, stored });

const FORMATS: Accepted[] = [
  { name: 'a PNG', image: await photo('png'), description: 'a PNG', ends: { done: [96, 64] } },
  { name: 'a PNG with transparency', image: await photo('png', { alpha: true }), description: 'alpha', ends: { done: [96, 64] } },
  { name: 'a lossy WebP', image: await photo('webp'), description: 'a WebP', ends: { done: [96, 64] } },
  { name: 'a lossless WebP', image: await photo('webp', { lossless: true }), description: 'lossless', ends: { done: [96, 64] } },
  { name: 'a GIF', image: await photo('gif'), description: 'a GIF', ends: { done: [96, 64] } },
  { name: 'a truncated JPEG (half the file)', image: CAT.slice(0, CAT.length >> 1), description: 'cut', ends: { failed: 'image_undecodable' } },
  { name: 'a JPEG cut inside its header', image: CAT.slice(0, 40), description: 'cut early', ends: { failed: 'image_undecodable' } },
];

const SQL = "'); DROP TABLE images; --";
const DESCRIPTIONS: Accepted[] = [
  { name: 'exactly 200 Cyrillic letters', ...cat('ж'.repeat(200)) },
  { name: '200 emoji', ...cat('🙂'.repeat(200)) },
  { name: 'combining characters', ...cat('e\u0301 a\u0308 n\u0303 — Z\u0351\u036b\u0343a\u0310l\u0351g\u0344o') },
  { name: 'right-to-left text', ...cat('שלום עולם مرحبا بالعالم') },
  { name: 'mixed directions with an explicit mark', ...cat('price \u200f100 ₪\u200e today') },
  { name: 'one 200-character word', ...cat('w'.repeat(200)) },
  { name: 'an emoji family joined by ZWJ', ...cat('👨‍👩‍👧‍👦 and 🏳️‍🌈') },
  { name: 'an SQL-injection string', ...cat(SQL) },
  { name: 'another SQL-injection string', ...cat("x' OR '1'='1'; SELECT pg_sleep(10); --") },
  { name: 'an HTML/script string', ...cat('<script>alert(1)</script> & <b>bold</b> <img src=x onerror=alert(2)>') },
  { name: 'tabs and line feeds', ...cat('line one\nline two\tand a tab', 'line one\r\nline two\tand a tab') },
  { name: 'leading and trailing spaces', ...cat('  kept as sent  ') },
  { name: 'a JSON-looking string', ...cat('{"id":"0","__proto__":{"x":1}}') },
];

beforeAll(async () => {
  system = await TestSystem.start({ processors: 2 });
}, 60_000);

afterAll(async () => {
  await system?.stop();
});

async function upload(c: Accepted): Promise<string> {
  const form = formOf([['image', new Blob([c.image]), 'upload.bin'], ['description', c.description]]);
  const res = await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const body = (await res.json()) as { id: string; status: string };
  expect(body.status).toBe('queued');
  return body.id;
}

async function listed(id: string): Promise<{ id: string; description: string } | undefined> {
  const res = await fetch(`${system.baseUrl}/api/images?limit=500`);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  return ((await res.json()) as Array<{ id: string; description: string }>).find((i) => i.id === id);
}

function suite(title: string, cases: Accepted[]) {
  describe(title, () => {
    for (const c of cases) {
      const outcome = 'done' in c.ends ? 'done as a captioned JPEG' : `failed ${c.ends.failed}`;
      test(`${c.name} → 202, then ${outcome}`, async () => {
        const id = await upload(c);
        const status = await system.waitForJob(id);
        const image = await fetch(`${system.baseUrl}/api/images/${id}`);
        if ('failed' in c.ends) {
          expect(status).toMatchObject({ status: 'failed', error: { code: c.ends.failed } });
          expect(image.status).toBe(409);
          expect(((await image.json()) as { error: { code: string } }).error.code).toBe('job_failed');
          expect(await listed(id)).toBeUndefined();
        } else {
          const [width, height] = c.ends.done;
          expect(status.status).toBe('done');
          expect(image.headers.get('content-type')).toBe('image/jpeg');
          const jpeg = new Uint8Array(await image.arrayBuffer());
          expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
          const band = await measureBand(jpeg, height);
          expect(band.width).toBe(width);
          expect(band.height).toBeGreaterThan(height);
          expect((await listed(id))?.description).toBe(c.stored ?? c.description);
        }
        expect(system.allAlive()).toBe(true);
      });
    }
  });
}

suite('other image formats are accepted; broken ones fail their job, not the API', FORMATS);
suite('unusual but valid descriptions are captioned and stored verbatim', DESCRIPTIONS);

test('the SQL-injection strings were stored as text: the table and its rows are all still there', async () => {
  const res = await fetch(`${system.baseUrl}/api/images?limit=500`);
  expect(res.status).toBe(200);
  const rows = (await res.json()) as Array<{ description: string }>;
  expect(rows.length).toBe(FORMATS.filter((c) => 'done' in c.ends).length + DESCRIPTIONS.length);
  expect(rows.some((r) => r.description === SQL)).toBe(true);
});
