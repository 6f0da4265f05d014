import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip } from '../../tests/support/zip.ts';
import { FileStore } from '../../shared/storage/file-store.ts';
import { streamArchive } from './archive.ts';

let dir: string;
const SIZE = 2 * 1024 * 1024;
const files = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'];
const content = (i: number) => new Uint8Array(SIZE).map((_, j) => (j * 31 + i * 7) & 0xff);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kadr-zip-'));
  for (const [i, f] of files.entries()) await writeFile(join(dir, f), content(i));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('streaming an archive', () => {
  test('holds every file byte for byte under its archive name, and failed.txt when given', async () => {
    const zip = await drain(streamArchive(new FileStore(dir), files.map((f, i) => ({ name: `00${i + 1}-${f}`, path: f })), 'failures\n'));
    const entries = await readZip(zip);
    expect([...entries.keys()]).toEqual(['001-a.jpg', '002-b.jpg', '003-c.jpg', '004-d.jpg', 'failed.txt']);
    for (const [i] of files.entries()) expect(entries.get(`00${i + 1}-${files[i]}`)!.equals(Buffer.from(content(i)))).toBe(true);
    expect(entries.get('failed.txt')!.toString()).toBe('failures\n');
    // Stored, not deflated: the archive is the files plus headers.
    expect(zip.byteLength).toBeGreaterThan(files.length * SIZE);
  });

  test('reads each file only when the download reaches it, so the archive is never held whole', async () => {
    // Only the first chunk is read before the last file is removed; had the
    // archive been built up front, the removal could not affect it.
    const late = 'late.jpg';
    await writeFile(join(dir, late), content(9));
    const stream = streamArchive(new FileStore(dir), [...files, late].map((f) => ({ name: f, path: f })), undefined);
    const reader = stream.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(first.value!.byteLength).toBeLessThan(SIZE);
    await rm(join(dir, late));
    let received = first.value!.byteLength;
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    // Everything before the removed file still went out.
    expect(received).toBeGreaterThan(files.length * SIZE);
  });

  test('dated by the given time, two builds of the same files are the same bytes', async () => {
    const store = new FileStore(dir);
    const entries = files.map((f) => ({ name: f, path: f }));
    const completed = new Date('2026-01-02T03:04:06Z');
    const first = await drain(streamArchive(store, entries, 'failures\n', completed));
    const second = await drain(streamArchive(store, entries, 'failures\n', completed));
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    // Not simply "now": the entries carry the date that was given (DOS time, local, to 2 s).
    const again = await drain(streamArchive(store, entries, 'failures\n', new Date('2025-06-07T08:09:10Z')));
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(false);
  });
});
