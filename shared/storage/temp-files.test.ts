import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ABANDONED_AFTER_MS, sweepAbandonedTempFiles, tempFileName } from './temp-files.ts';

let dir: string;
let deadPid: number;
const uuid = () => crypto.randomUUID();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kadr-temp-'));
  const child = Bun.spawn(['true']);
  await child.exited;
  deadPid = child.pid;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function touch(name: string, ageMs = 0): Promise<string> {
  await writeFile(join(dir, name), 'x');
  const when = (Date.now() - ageMs) / 1000;
  await utimes(join(dir, name), when, when);
  return name;
}

test('removes the temporary files of writers gone from this host, keeps live writers\' files and finished images', async () => {
  const image = await touch(`${uuid()}.jpg`, 2 * ABANDONED_AFTER_MS);
  const dead = await touch(`.${uuid()}.jpg.${deadPid}@${hostname()}.${uuid()}.tmp`);
  // Our own pid in a name we never wrote: a previous process, as in a restarted container.
  const ours = await touch(tempFileName(`${uuid()}.jpg`));
  const live = await touch(`.${uuid()}.jpg.${process.ppid}@${hostname()}.${uuid()}.tmp`);
  const elsewhere = await touch(`.${uuid()}.jpg.${deadPid}@another-host.${uuid()}.tmp`);
  const elsewhereOld = await touch(`.${uuid()}.jpg.${deadPid}@another-host.${uuid()}.tmp`, 2 * ABANDONED_AFTER_MS);
  const oldNaming = await touch(`.${uuid()}.jpg.123.${uuid()}.tmp`, 2 * ABANDONED_AFTER_MS);

  const removed = await sweepAbandonedTempFiles(dir);

  expect(removed.sort()).toEqual([dead, ours, elsewhereOld, oldNaming].sort());
  expect((await readdir(dir)).sort()).toEqual([image, live, elsewhere].sort());
});

test('a folder that does not exist yet has nothing to sweep', async () => {
  expect(await sweepAbandonedTempFiles(join(dir, 'not-created'))).toEqual([]);
});
