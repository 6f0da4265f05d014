/**
 * Where the statistics live in Redis, shared by the workers that write them
 * and the API that reads them. Everything is bounded: per-second buckets
 * expire, latency samples are trimmed, the histograms have fixed buckets.
 */

export const STAGES = ['render', 'save', 'total'] as const;
export type Stage = (typeof STAGES)[number];

export const OUTCOMES = ['done', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Throughput history kept, in seconds (the dashboard's chart spans it). */
export const HISTORY_SECONDS = 300;
/** Recent samples per stage from which the dashboard's percentiles are taken. */
export const LATENCY_SAMPLES = 1000;
/** Upper bounds of the stage-duration histograms, in ms (Prometheus reports seconds). */
export const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

export interface StatsKeys {
  /** Jobs with this outcome in one epoch second. */
  bucket(outcome: Outcome, epochSecond: number): string;
  /** Hash outcome → count since the system started (for /metrics). */
  totals: string;
  /** Hash error code → count of failed jobs. */
  errors: string;
  /** List of recent durations in ms, newest first. */
  samples(stage: Stage): string;
  /** Hash: field per bucket bound (non-cumulative counts), `+Inf`, `sum` (ms) and `count`. */
  histogram(stage: Stage): string;
}

export function statsKeys(prefix: string): StatsKeys {
  return {
    bucket: (outcome, second) => `${prefix}${outcome}:${second}`,
    totals: `${prefix}totals`,
    errors: `${prefix}errors`,
    samples: (stage) => `${prefix}latency:${stage}`,
    histogram: (stage) => `${prefix}histogram:${stage}`,
  };
}

/** The histogram field a duration is counted under. */
export function bucketBound(ms: number): string {
  const bound = DURATION_BUCKETS_MS.find((b) => ms <= b);
  return bound === undefined ? '+Inf' : String(bound);
}
