import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { Keys } from '../../shared/queue/keys.ts';
import type { Redis } from '../../shared/redis.ts';
import { command } from '../../shared/redis.ts';
import { replyNumber, replyRecord } from '../../shared/redis-reply.ts';
import { DURATION_BUCKETS_MS, OUTCOMES, STAGES, statsKeys } from '../../shared/stats/layout.ts';

const REQUEST_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The stage-duration histograms, whose bucket counts the workers keep in
 * Redis (shared/stats/worker-stats.ts): prom-client's Histogram can only
 * observe values in this process, so this metric hands the registry the
 * counts it reads at scrape time, in the shape Histogram.get() has.
 */
function redisHistogram(redis: Redis, prefix: string): Metric {
  const name = 'kadr_stage_duration_seconds';
  const s = statsKeys(prefix);
  const metric = {
    name,
    help: 'Time per job stage, in seconds, across all workers: render (processor), save (saver), total (accepted to done)',
    type: 'histogram',
    aggregator: 'sum',
    collect() {},
    reset() {},
    async get() {
      const hashes = await Promise.all(STAGES.map((stage) => command(redis, ['HGETALL', s.histogram(stage)])));
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      STAGES.forEach((stage, i) => {
        const h = replyRecord(hashes[i]);
        let cumulative = 0;
        for (const bound of DURATION_BUCKETS_MS) {
          cumulative += Number(h[String(bound)] ?? 0);
          values.push({ metricName: `${name}_bucket`, labels: { stage, le: bound / 1000 }, value: cumulative });
        }
        const count = Number(h.count ?? 0);
        values.push({ metricName: `${name}_bucket`, labels: { stage, le: '+Inf' }, value: count });
        values.push({ metricName: `${name}_sum`, labels: { stage }, value: Number(h.sum ?? 0) / 1000 });
        values.push({ metricName: `${name}_count`, labels: { stage }, value: count });
      });
      return { name, help: metric.help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  return metric as unknown as Metric;
}

export interface ApiMetrics {
  registry: Registry;
  /** Records one answered request; `route` is the route's pattern, never the raw path. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
}

/**
 * /metrics: this API's own requests, and the job figures of the whole system
 * read from Redis at scrape time (collect callbacks), so every API process
 * reports the same numbers for every worker, and a restart resets nothing.
 */
export function createMetrics(redis: Redis, k: Keys): ApiMetrics {
  const registry = new Registry();
  const s = statsKeys(k.stats);
  const requests = new Counter({
    name: 'kadr_http_requests_total',
    help: 'HTTP requests answered by this API process, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'kadr_http_request_duration_seconds',
    help: 'Time to answer an HTTP request in this API process (to the first byte for streams)',
    labelNames: ['route', 'method'] as const,
    buckets: REQUEST_BUCKETS_S,
    registers: [registry],
  });
  new Counter({
    name: 'kadr_jobs_total',
    help: 'Jobs finished, by outcome (done or failed), across all workers',
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      const totals = replyRecord(await command(redis, ['HGETALL', s.totals]));
      this.reset();
      for (const outcome of OUTCOMES) this.inc({ outcome }, Number(totals[outcome] ?? 0));
    },
  });
  new Counter({
    name: 'kadr_job_errors_total',
    help: 'Failed jobs by error code, across all workers',
    labelNames: ['code'] as const,
    registers: [registry],
    async collect() {
      const errors = replyRecord(await command(redis, ['HGETALL', s.errors]));
      this.reset();
      for (const [code, n] of Object.entries(errors)) this.inc({ code }, Number(n));
    },
  });
  const streams = { uploads: k.uploads, captioned: k.captioned, dead: k.dead };
  new Gauge({
    name: 'kadr_stream_length',
    help: 'Entries in each stream: uploads and captioned hold unfinished work, dead the dead letters',
    labelNames: ['stream'] as const,
    registers: [registry],
    async collect() {
      const lengths = await Promise.all(Object.values(streams).map((key) => command(redis, ['XLEN', key])));
      Object.keys(streams).forEach((stream, i) => this.set({ stream }, replyNumber(lengths[i])));
    },
  });
  new Gauge({
    name: 'kadr_stream_pending',
    help: 'Entries delivered to a consumer group and not yet acknowledged',
    labelNames: ['stream', 'group'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [stream, key] of [['uploads', k.uploads], ['captioned', k.captioned]] as const) {
        const groups = (await command(redis, ['XINFO', 'GROUPS', key]).catch(() => [])) as unknown[];
        for (const g of groups) {
          const r = replyRecord(g);
          this.set({ stream, group: String(r.name) }, Number(r.pending ?? 0));
        }
      }
    },
  });
  registry.registerMetric(redisHistogram(redis, k.stats));
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      durations.observe({ route, method }, seconds);
    },
  };
}
