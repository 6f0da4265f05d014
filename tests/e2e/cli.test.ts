import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { measureBand } from '../support/pixels.ts';
import { useSystem } from '../support/use-system.ts';
import { readZip } from '../support/zip.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'tests', 'fixtures');
const PHOTOS: Record<string, { width: number; height: number }> = {
  'astronaut-640x480.jpg': { width: 640, height: 480 },
  'cat-640x480.jpg': { width: 640, height: 480 },
  'coffee-1920x1280.jpg': { width: 1920, height: 1280 },
  'rocket-480x640.jpg': { width: 480, height: 640 },
};
const PHOTO_PATHS = Object.keys(PHOTOS).map((name) => join(FIXTURES, name));

const running = useSystem({ processors: 2 });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kadr-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real command line (cli/kadr.ts) against the test system, without a terminal. */
async function kadr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, join(ROOT, 'cli', 'kadr.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, KADR_URL: running.system.baseUrl },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** A captioned result: the photo's width, and its height plus a dark band holding white text. */
async function expectCaptioned(bytes: Uint8Array, photo: { width: number; height: number }) {
  const band = await measureBand(bytes, photo.height);
  expect(band.width).toBe(photo.width);
  expect(band.height).toBeGreaterThan(photo.height);
  expect(band.darkShare).toBeGreaterThan(0.5);
  expect(band.whitePixels).toBeGreaterThan(0);
}

async function truncatedJpeg(): Promise<string> {
  const cat = new Uint8Array(await Bun.file(join(FIXTURES, 'cat-640x480.jpg')).arrayBuffer());
  const path = join(dir, 'broken.jpg');
  await Bun.write(path, cat.slice(0, cat.length >> 1));
  return path;
}

describe('kadr caption', () => {
  test('leaves each photo captioned in --out, printing plain progress lines without a terminal', async () => {
    const out = join(dir, 'each');
    const run = await kadr('caption', ...PHOTO_PATHS, '-d', 'С начала фазы запрещающего сигнала прошло: 7 секунд', '--out', out);
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(Object.keys(PHOTOS).sort());
    for (const [name, photo] of Object.entries(PHOTOS)) await expectCaptioned(await Bun.file(join(out, name)).bytes(), photo);
    // Lines, not a redrawn bar: no escape codes, no carriage returns.
    expect(run.stderr).not.toContain('\x1b[');
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^progress 4\/4 done 4 failed 0 \d+\.\d\d photos\/s finished$/m);
    expect(run.stdout).toContain('4 done, 0 failed, of 4');
  }, 60_000);

  test('--batch leaves the batch ZIP in --out with every photo captioned inside', async () => {
    const out = join(dir, 'batch');
    const run = await kadr('caption', ...PHOTO_PATHS, '--batch', '-d', 'one batch', '--out', out);
    expect(run.code).toBe(0);
    const [zipName, ...others] = await readdir(out);
    expect(others).toEqual([]);
    expect(zipName).toMatch(/^batch-[0-9a-f-]{36}\.zip$/);
    const entries = await readZip(await Bun.file(join(out, zipName!)).bytes());
    // Entries are in upload order: 1-<job>.jpg is the first photo given.
    const names = [...entries.keys()].sort();
    expect(names).toHaveLength(4);
    for (const [i, name] of names.entries()) await expectCaptioned(entries.get(name)!, PHOTOS[Object.keys(PHOTOS)[i]!]!);
    expect(run.stderr).toMatch(/^progress 4\/4 done 4 failed 0 .* complete$/m);
  }, 60_000);

  test('a photo that cannot be processed makes it exit 1, listing that photo with the API\'s reason, and the others are saved', async () => {
    const broken = await truncatedJpeg();
    const out = join(dir, 'failing');
    const run = await kadr('caption', join(FIXTURES, 'cat-640x480.jpg'), broken, '-d', 'one good, one cut', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('1 done, 1 failed, of 2');
    expect(run.stdout).toMatch(new RegExp(`^failed:\\n  ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: image_undecodable: .+$`, 'm'));
    expect(await readdir(out)).toEqual(['cat-640x480.jpg']);
  }, 60_000);

  test('a failing photo in a --batch is listed by its path with the reason, and the ZIP is still saved', async () => {
    const broken = await truncatedJpeg();
    const out = join(dir, 'failing-batch');
    const run = await kadr('caption', join(FIXTURES, 'rocket-480x640.jpg'), broken, '--batch', '-d', 'batch with a cut photo', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('1 done, 1 failed, of 2');
    expect(run.stdout).toContain(`  ${broken}: image_undecodable: `);
    expect((await readdir(out))[0]).toMatch(/\.zip$/);
  }, 60_000);

  test('a refused upload exits 1 with the API\'s status, code and message', async () => {
    const description = 'x'.repeat(201);
    const form = new FormData();
    form.append('image', Bun.file(join(FIXTURES, 'cat-640x480.jpg')));
    form.append('description', description);
    const direct = (await (await fetch(`${running.system.baseUrl}/api/images`, { method: 'POST', body: form })).json()) as { error: { code: string; message: string } };
    const run = await kadr('caption', join(FIXTURES, 'cat-640x480.jpg'), '-d', description, '--out', join(dir, 'refused'));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`cat-640x480.jpg: 422 ${direct.error.code}: ${direct.error.message}`);
  }, 30_000);

  test('--ops that are not a JSON array are refused before anything is sent', async () => {
    const run = await kadr('caption', join(FIXTURES, 'cat-640x480.jpg'), '-d', 'x', '--ops', '{"op":"grayscale"}');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('expected a JSON array of steps');
  });
});

describe('kadr status and list', () => {
  test('status prints each job as the API reports it, and exits 1 for an unknown id', async () => {
    const listed = (await (await fetch(`${running.system.baseUrl}/api/images?limit=2`)).json()) as { id: string }[];
    expect(listed.length).toBe(2);
    const ids = listed.map((i) => i.id);
    const json = await kadr('status', ...ids, '--json');
    expect(json.code).toBe(0);
    const api = await Promise.all(ids.map(async (id) => (await fetch(`${running.system.baseUrl}/api/images/${id}/status`)).json()));
    expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(api);

    const plain = await kadr('status', ids[0]!);
    expect(plain.stdout).toMatch(new RegExp(`^${ids[0]}  done  updated `, 'm'));

    const unknown = await kadr('status', '01900000-0000-7000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('not_found');
  }, 30_000);

  test('status of a batch id prints the batch\'s counts and each job', async () => {
    const out = join(dir, 'status-batch');
    const run = await kadr('caption', join(FIXTURES, 'cat-640x480.jpg'), '--batch', '-d', 'for status', '--out', out);
    const batchId = /batch-([0-9a-f-]{36})\.zip/.exec(run.stdout)![1]!;
    const status = await kadr('status', batchId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${batchId}  batch complete  1 images: queued 0, processing 0, done 1, failed 0`);
    expect(status.stdout).toMatch(/^ {2}1\. [0-9a-f-]{36}  done$/m);
  }, 60_000);

  test('list prints the processed images as GET /api/images answers them, newest first', async () => {
    const api = (await (await fetch(`${running.system.baseUrl}/api/images?limit=3`)).json()) as { id: string; description: string }[];
    const json = await kadr('list', '--limit', '3', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api);
    const plain = await kadr('list', '--limit', '3');
    const lines = plain.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('  ')[0])).toEqual(api.map((i) => i.id));
    expect(lines[0]).toEndWith(api[0]!.description);
  }, 30_000);
});
