import { readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';

// `.<final name>.<pid>@<host>.<random>.tmp`: the writer's pid and host let a
// later saver tell a file still being written from one a killed saver left.
// Any other hidden `.tmp` (an older naming) can only be judged by its age.
const TEMP = /^\..+\.tmp$/;
const WRITER = /\.(\d+)@([^/]+)\.[0-9a-f-]{36}\.tmp$/;

/** Past this age a temporary file is abandoned whoever wrote it: a write takes milliseconds. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** The temporary name under which `finalName` is written before its rename. */
export function tempFileName(finalName: string): string {
  return `.${finalName}.${process.pid}@${hostname()}.${crypto.randomUUID()}.tmp`;
}

async function modifiedBefore(path: string, instant: number): Promise<boolean> {
  try {
    return (await stat(path)).mtimeMs < instant;
  } catch {
    return false; // already gone: renamed by its writer or swept by another saver
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that savers killed mid-write (SIGKILL, power
 * loss) left in `dir`, and returns their names. A file is abandoned when its
 * writer ran on this host and is gone (or had our pid: we have written
 * nothing yet, so it was a previous process, as in a restarted container), or
 * when it is older than ABANDONED_AFTER_MS. Files of live writers are kept,
 * so this is safe while other savers share the folder. Call it at start,
 * before writing.
 */
export async function sweepAbandonedTempFiles(dir: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    // Keys may hold folders (`incoming/<id>`), and each has its own temp files.
    names = await readdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const host = hostname();
  const removed: string[] = [];
  for (const name of names) {
    if (!TEMP.test(basename(name))) continue;
    const writer = WRITER.exec(basename(name));
    const pid = Number(writer?.[1]);
    const writerGone = writer?.[2] === host && (pid === process.pid || !isRunning(pid));
    if (!writerGone && !(await modifiedBefore(join(dir, name), now - ABANDONED_AFTER_MS))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
