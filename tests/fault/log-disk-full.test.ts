import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoad } from '../support/load.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

// A real full disk, not a mock: LOG_DIR on a tmpfs of 64 KiB (needs root).
let logDir: string;
let mounted = false;
let system: TestSystem | undefined;

async function run(cmd: string[]): Promise<void> {
  const proc = Bun.spawn(cmd, { stdout: 'ignore', stderr: 'pipe' });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}): ${err}`);
}

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'kadr-logs-'));
  await run(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', logDir]);
  mounted = true;
  system = await TestSystem.start({ processors: 1, env: { LOG_DIR: logDir } });
}, 60_000);

afterAll(async () => {
  await system?.stop();
  // Unmounted whatever happened above, so no test leaves a mount behind.
  if (mounted) await run(['umount', '-l', logDir]);
  await rm(logDir, { recursive: true, force: true });
}, 30_000);

/** Fills the log disk to the last byte; answers how to free it again. */
async function fillDisk(): Promise<() => Promise<void>> {
  const path = join(logDir, 'filler');
  const fh = await open(path, 'w');
  const chunk = Buffer.alloc(1024, 0x2e);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // The last partial block too: nothing at all is left.
  try {
    for (;;) await fh.write(chunk.subarray(0, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  await fh.close();
  return () => rm(path, { force: true });
}

test('a full log disk stops no worker: jobs keep ending done, and once space returns each log says how many lines it dropped', async () => {
  const s = system!;
  const free = await fillDisk();
  // Enough lines to fill the page each log file had partly used when the disk filled up.
  const load = startLoad(s.baseUrl, { count: 40, concurrency: 2 });
  await load.finished;
  expect(load.refusals).toEqual([]);
  const outcome = await expectNothingLost(s, load.accepted, { timeoutMs: 60_000 });
  expect(outcome.done).toBe(40);
  for (const name of ['api', 'processor-1', 'saver']) expect(s.service(name).proc.exitCode).toBeNull();

  await free();
  const after = startLoad(s.baseUrl, { count: 1 });
  await after.finished;
  await expectNothingLost(s, new Map([...load.accepted, ...after.accepted]), { timeoutMs: 30_000 });
  for (const service of ['processor', 'saver']) {
    await until(`${service}.log saying what it dropped`, async () =>
      /"msg":"dropped \d+ log lines? \(ENOSPC\)"/.test(await readFile(join(logDir, `${service}.log`), 'utf8').catch(() => '')), 10_000);
    console.log(service, (await readFile(join(logDir, `${service}.log`), "utf8")).slice(-600));
  }
}, 120_000);
