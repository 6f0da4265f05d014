import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RunInfo } from './report.ts';

function git(args: string[]): string {
  const r = Bun.spawnSync(['git', ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return r.exitCode === 0 ? r.stdout.toString().trim() : '';
}

/** What a reader needs to judge a result: the code, the runtime, the machine and how busy it was. */
export function collectRunInfo(): RunInfo {
  const dirty = git(['status', '--porcelain']) ? ' (with uncommitted changes)' : '';
  return {
    date: new Date().toISOString(),
    commit: (git(['rev-parse', '--short', 'HEAD']) || 'unknown') + dirty,
    bun: Bun.version,
    cores: availableParallelism(),
    loadavgBefore: loadavg(),
    loadavgAfter: [],
  };
}
