import type { Keys } from '../../shared/queue/keys.ts';
import type { Redis } from '../../shared/redis.ts';
import { command, text } from '../../shared/redis.ts';
import { replyNumber, replyRecord } from '../../shared/redis-reply.ts';
import { HISTORY_SECONDS, OUTCOMES, STAGES, statsKeys, type Outcome, type Stage } from '../../shared/stats/layout.ts';
import { percentiles } from '../../shared/stats/percentiles.ts';

export interface StreamStats {
  name: 'uploads' | 'captioned' | 'dead';
  length: number;
  /**
   * Consumer groups: entries delivered but not acknowledged; consumers with a
   * live worker heartbeat; and the group's other consumers (a restarted or
   * stopped worker's old name), which workers delete once idle long enough
   * with nothing pending.
   */
  groups: Array<{ name: string; pending: number; consumers: number; idle_consumers: number }>;
}

export interface WorkerInfo {
  consumer: string;
  kind: string;
  host: string;
  pid: number;
  started_at: string;
  last_heartbeat: string;
  jobs_done: number;
  jobs_failed: number;
  /** The outage this worker is waiting out (retrying its entry in place), or null. */
  outage: WorkerOutage | null;
}

export interface WorkerOutage {
  code: string;
  message: string;
  since: string;
}

export interface StatsSnapshot {
  at: string;
  streams: StreamStats[];
  workers: WorkerInfo[];
  /** Jobs per second over the last HISTORY_SECONDS, oldest first; `start` is the first second (epoch). */
  throughput: { start: number; done: number[]; failed: number[] };
  /** Stage durations in ms over the most recent samples; null when there are none. */
  latency: Record<Stage, { p50: number | null; p95: number | null; p99: number | null; samples: number }>;
  totals: Record<Outcome, number>;
  /** Failed jobs by error code. */
  errors: Record<string, number>;
}

async function streamStats(redis: Redis, name: StreamStats['name'], key: string, live: Set<string>): Promise<StreamStats> {
  const [length, groups] = await Promise.all([
    command(redis, ['XLEN', key]),
    // A stream nobody has read yet has no groups (and may not exist).
    command(redis, ['XINFO', 'GROUPS', key]).catch(() => []),
  ]);
  return {
    name,
    length: replyNumber(length),
    groups: await Promise.all(
      (groups as unknown[]).map(async (g) => {
        const r = replyRecord(g);
        const consumers = ((await command(redis, ['XINFO', 'CONSUMERS', key, String(r.name)]).catch(() => [])) as unknown[])
          .map((c) => String(replyRecord(c).name));
        const alive = consumers.filter((c) => live.has(c)).length;
        return { name: String(r.name), pending: Number(r.pending ?? 0), consumers: alive, idle_consumers: consumers.length - alive };
      }),
    ),
  };
}

function outageOf(raw: unknown): WorkerOutage | null {
  if (raw === undefined) return null;
  try {
    const o = JSON.parse(text(raw)) as Partial<WorkerOutage>;
    return { code: String(o.code ?? 'unknown'), message: String(o.message ?? ''), since: String(o.since ?? '') };
  } catch {
    return { code: 'unknown', message: text(raw), since: '' };
  }
}

/** The workers whose heartbeat is alive, by kind and name. */
export async function workers(redis: Redis, k: Keys): Promise<WorkerInfo[]> {
  const names = ((await command(redis, ['ZRANGE', k.workers, '0', '-1'])) as unknown[]).map(text);
  const hashes = await Promise.all(names.map((n) => command(redis, ['HGETALL', k.worker(n)])));
  const out: WorkerInfo[] = [];
  names.forEach((consumer, i) => {
    const h = replyRecord(hashes[i]);
    // The hash expired: the worker has been silent longer than its TTL.
    if (h.kind === undefined) return;
    out.push({
      consumer,
      kind: String(h.kind),
      host: String(h.host ?? ''),
      pid: Number(h.pid ?? 0),
      started_at: String(h.started_at ?? ''),
      last_heartbeat: String(h.last_heartbeat ?? ''),
      jobs_done: Number(h.jobs_done ?? 0),
      jobs_failed: Number(h.jobs_failed ?? 0),
      outage: outageOf(h.outage),
    });
  });
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.consumer.localeCompare(b.consumer));
}

/**
 * Everything the dashboard shows, read from Redis alone (a handful of
 * pipelined commands), so any API process answers the same and a restart
 * loses nothing.
 */
export async function readStats(redis: Redis, k: Keys, now = Date.now()): Promise<StatsSnapshot> {
  const s = statsKeys(k.stats);
  const start = Math.floor(now / 1000) - HISTORY_SECONDS + 1;
  const seconds = Array.from({ length: HISTORY_SECONDS }, (_, i) => start + i);
  // Workers first: a group's consumers count only if their worker is alive.
  const workerList = await workers(redis, k);
  const live = new Set(workerList.map((w) => w.consumer));
  const [streams, history, samples, totals, errors] = await Promise.all([
    Promise.all([
      streamStats(redis, 'uploads', k.uploads, live),
      streamStats(redis, 'captioned', k.captioned, live),
      streamStats(redis, 'dead', k.dead, live),
    ]),
    Promise.all(OUTCOMES.map((o) => command(redis, ['MGET', ...seconds.map((sec) => s.bucket(o, sec))]))),
    Promise.all(STAGES.map((stage) => command(redis, ['LRANGE', s.samples(stage), '0', '-1']))),
    command(redis, ['HGETALL', s.totals]),
    command(redis, ['HGETALL', s.errors]),
  ]);
  const latency = {} as StatsSnapshot['latency'];
  STAGES.forEach((stage, i) => {
    const values = (samples[i] as unknown[]).map((v) => Number(text(v))).filter(Number.isFinite);
    const [p50, p95, p99] = percentiles(values, [50, 95, 99]);
    latency[stage] = { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null, samples: values.length };
  });
  const totalsRecord = replyRecord(totals);
  const errorsRecord = replyRecord(errors);
  return {
    at: new Date(now).toISOString(),
    streams,
    workers: workerList,
    throughput: {
      start,
      done: (history[0] as unknown[]).map(replyNumber),
      failed: (history[1] as unknown[]).map(replyNumber),
    },
    latency,
    totals: { done: Number(totalsRecord.done ?? 0), failed: Number(totalsRecord.failed ?? 0) },
    errors: Object.fromEntries(Object.entries(errorsRecord).map(([code, n]) => [code, Number(n)])),
  };
}

