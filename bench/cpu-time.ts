import { readdir } from 'node:fs/promises';
import type { ServiceProcess } from './sampler.ts';

/**
 * CPU time spent by each part of the system during the run, from /proc.
 *
 * Throughput on this machine drifts with the host (the same run gave 61 and
 * 77 images/s ten minutes apart), but the CPU an image costs each process
 * moves far less, and it says where the two cores went: a figure to compare
 * commits by, and the ceiling (cores / CPU per image) the system cannot pass.
 */

/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream build. */
const TICKS_PER_SECOND = 100;

export interface CpuReading {
  /** Seconds of CPU (user + system, all threads) per part, cumulative. */
  parts: Map<string, number>;
  /** Busy seconds of the whole machine (all cores, everything but idle and iowait). */
  machineBusy: number;
  at: number;
}

/** utime + stime of one process (all its threads), in seconds; undefined once it has exited. */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    return parseStat(await Bun.file(`/proc/${pid}/stat`).text());
  } catch {
    return undefined;
  }
}

/** Fields after the command name (which may hold spaces and parentheses): utime is the 14th field, stime the 15th. */
export function parseStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy time of all cores from the first line of /proc/stat, in seconds. */
export function parseMachineBusy(procStat: string): number {
  const [, ...values] = procStat.slice(0, procStat.indexOf('\n')).trim().split(/\s+/);
  // Columns: user nice system idle iowait irq softirq steal; idle and iowait are not busy.
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICKS_PER_SECOND;
}

/** Sum over every process whose command name is `comm` (Redis and PostgreSQL run as several). */
async function cpuOfCommand(comm: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await Bun.file(`/proc/${entry}/comm`).text()).trim() !== comm) continue;
      total += parseStat(await Bun.file(`/proc/${entry}/stat`).text());
    } catch {
      // exited while we looked
    }
  }
  return total;
}

/** One reading of every part: the services by pid, this client, Redis, PostgreSQL and the machine. */
export async function readCpu(services: ServiceProcess[]): Promise<CpuReading> {
  const parts = new Map<string, number>();
  for (const s of services) {
    const seconds = await processCpuSeconds(s.pid);
    if (seconds !== undefined) parts.set(s.name, seconds);
  }
  const own = process.cpuUsage();
  parts.set('benchmark client (this process)', (own.user + own.system) / 1e6);
  parts.set('redis-server', await cpuOfCommand('redis-server'));
  parts.set('postgres (all backends)', await cpuOfCommand('postgres'));
  return { parts, machineBusy: parseMachineBusy(await Bun.file('/proc/stat').text()), at: performance.now() };
}

export interface CpuUse {
  part: string;
  seconds: number;
  msPerImage: number;
  /** Share of the machine's busy time. */
  share: number;
}

/**
 * CPU per part between two readings. Redis and PostgreSQL serve the whole
 * machine, so their figures include anything else using them meanwhile.
 */
export function cpuBetween(start: CpuReading, end: CpuReading, images: number, cores: number) {
  const busy = end.machineBusy - start.machineBusy;
  const uses: CpuUse[] = [];
  for (const [part, seconds] of end.parts) {
    const spent = seconds - (start.parts.get(part) ?? 0);
    uses.push({ part, seconds: spent, msPerImage: (spent * 1000) / images, share: busy > 0 ? spent / busy : 0 });
  }
  const wall = (end.at - start.at) / 1000;
  const accounted = uses.reduce((sum, u) => sum + u.seconds, 0);
  return {
    uses,
    wallSeconds: wall,
    machineBusySeconds: busy,
    /** How much of the cores' time was busy during the run. */
    utilisation: wall > 0 ? busy / (wall * cores) : 0,
    /** Everything the parts above do not explain: kernel threads, other processes. */
    otherSeconds: busy - accounted,
    /** The CPU-bound ceiling: images per second if every core did nothing else. */
    ceiling: busy > 0 ? (images * cores) / busy : 0,
  };
}

export type CpuSummary = ReturnType<typeof cpuBetween>;
