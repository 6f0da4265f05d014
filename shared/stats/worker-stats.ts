import type { Command } from '../queue/stream.ts';
import type { Keys } from '../queue/keys.ts';
import { bucketBound, HISTORY_SECONDS, LATENCY_SAMPLES, statsKeys, type Outcome, type Stage, type StatsKeys } from './layout.ts';

/** How long a worker's hash outlives its last heartbeat. */
export const WORKER_TTL_SECONDS = 30;

/**
 * The commands a worker adds to the MULTI that finishes a job, so counting
 * costs no round trip of its own and a job is counted exactly when it is
 * finished (a redelivered job that was not acknowledged is not counted twice).
 */
export class WorkerStats {
  private readonly s: StatsKeys;
  private readonly workerKey: string;

  constructor(k: Pick<Keys, 'stats' | 'worker'>, consumer: string) {
    this.s = statsKeys(k.stats);
    this.workerKey = k.worker(consumer);
  }

  /** This worker finished its part of a job in `ms` (rendering it, or saving it). */
  handled(stage: Stage, ms: number): Command[] {
    return [
      ['HINCRBY', this.workerKey, 'jobs_done', '1'],
      // The heartbeat sets the TTL too; this covers a hash that expired while a job ran.
      ['EXPIRE', this.workerKey, String(WORKER_TTL_SECONDS)],
      ...this.duration(stage, ms),
    ];
  }

  /** A job reached `done`, `receivedAt` (ISO) being when the API accepted it. */
  done(receivedAt: string, now = Date.now()): Command[] {
    const total = Math.max(0, now - Date.parse(receivedAt));
    return [...this.outcome('done', now), ...(Number.isFinite(total) ? this.duration('total', total) : [])];
  }

  /** A job failed in this worker (dead-lettered) with `code`. */
  failed(code: string, now = Date.now()): Command[] {
    return [
      ['HINCRBY', this.workerKey, 'jobs_failed', '1'],
      ['EXPIRE', this.workerKey, String(WORKER_TTL_SECONDS)],
      ['HINCRBY', this.s.errors, code, '1'],
      ...this.outcome('failed', now),
    ];
  }

  private outcome(outcome: Outcome, now: number): Command[] {
    const bucket = this.s.bucket(outcome, Math.floor(now / 1000));
    return [
      ['HINCRBY', this.s.totals, outcome, '1'],
      ['INCR', bucket],
      ['EXPIRE', bucket, String(HISTORY_SECONDS + 60)],
    ];
  }

  private duration(stage: Stage, ms: number): Command[] {
    const rounded = ms.toFixed(1);
    const histogram = this.s.histogram(stage);
    return [
      ['LPUSH', this.s.samples(stage), rounded],
      ['LTRIM', this.s.samples(stage), '0', String(LATENCY_SAMPLES - 1)],
      ['HINCRBY', histogram, bucketBound(ms), '1'],
      ['HINCRBYFLOAT', histogram, 'sum', rounded],
      ['HINCRBY', histogram, 'count', '1'],
    ];
  }
}
