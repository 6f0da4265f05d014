import { expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { describePriority, priorityPrefix } from './cpu-priority.ts';

/** The scheduling policy of a running process, from /proc (0 normal, 5 SCHED_IDLE). */
function policyOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/sched`, 'utf8').split('\n').find((l) => l.startsWith('policy'));
  return Number(line?.split(':')[1]);
}

function niceOf(pid: number): number {
  // Field 19 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

async function startedAt(priority: Parameters<typeof priorityPrefix>[0]) {
  const proc = Bun.spawn([...priorityPrefix(priority), 'sleep', '5']);
  await Bun.sleep(100);
  try {
    // chrt and nice exec the command: the pid is the command's own.
    expect(readFileSync(`/proc/${proc.pid}/comm`, 'utf8').trim()).toBe('sleep');
    return { policy: policyOf(proc.pid), nice: niceOf(proc.pid) };
  } finally {
    proc.kill();
  }
}

test('a processor started at idle priority runs under SCHED_IDLE, with its own pid', async () => {
  if (!existsSync('/usr/bin/chrt') && !existsSync('/bin/chrt')) {
    // Without util-linux's chrt the fallback is nice 10.
    expect(describePriority('idle')).toBe('nice 10');
    return;
  }
  expect(describePriority('idle')).toBe('SCHED_IDLE');
  expect((await startedAt('idle')).policy).toBe(5);
});

test('nice priority is nice 10 under the normal policy, and normal changes nothing', async () => {
  expect(await startedAt('nice')).toEqual({ policy: 0, nice: 10 });
  expect(await startedAt('normal')).toEqual({ policy: 0, nice: 0 });
  expect(priorityPrefix('normal')).toEqual([]);
});
