import { existsSync } from 'node:fs';

/**
 * How processors share the CPU with the API, Redis and the saver:
 * - `idle`: SCHED_IDLE (util-linux `chrt --idle 0`), so image work runs only
 *   on CPU nothing else wants. With both cores saturated it cut POST p95 from
 *   28 to 21 ms and p99 from 36 to 30 ms (four A/B pairs, same images/s).
 *   No privilege is needed to lower a policy. Where chrt is missing or the
 *   kernel refuses, `nice` is used instead.
 * - `nice`: nice 10, the weight of a niced task is a tenth of the API's.
 * - `normal`: no change.
 */
export const PROCESSOR_PRIORITIES = ['idle', 'nice', 'normal'] as const;
export type ProcessorPriority = (typeof PROCESSOR_PRIORITIES)[number];

const NICE_VALUE = 10;
const CHRT = ['/usr/bin/chrt', '/bin/chrt'].find(existsSync);
const NICE = ['/usr/bin/nice', '/bin/nice'].find(existsSync);

let idleWorks: boolean | undefined;
function canRunIdle(): boolean {
  idleWorks ??= CHRT !== undefined && Bun.spawnSync([CHRT, '--idle', '0', 'true']).exitCode === 0;
  return idleWorks;
}

/**
 * The command prefix that starts a process at `priority`. Applied at spawn,
 * because sharp's threads start at import and inherit it only then; chrt and
 * nice exec, so the pid stays the service's own.
 */
export function priorityPrefix(priority: ProcessorPriority): string[] {
  if (priority === 'idle' && canRunIdle()) return [CHRT!, '--idle', '0'];
  if (priority !== 'normal' && NICE) return [NICE, '-n', String(NICE_VALUE)];
  return [];
}

/** What `priorityPrefix` gives on this machine, in words, for logs and reports. */
export function describePriority(priority: ProcessorPriority): string {
  const prefix = priorityPrefix(priority);
  if (prefix.length === 0) return 'normal priority';
  return prefix[1] === '--idle' ? 'SCHED_IDLE' : `nice ${NICE_VALUE}`;
}
