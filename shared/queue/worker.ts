import { BatchProgress } from '../batches/progress.ts';
import type { Config } from '../config.ts';
import { publicBaseUrl } from '../config.ts';
import { failedJobWebhook, WebhookEvents } from '../webhooks/events.ts';
import type { JobStore } from '../jobs.ts';
import type { Logger } from '../logger.ts';
import type { Keys } from './keys.ts';
import { StreamConsumer, type ConsumerOptions } from './consumer.ts';
import { failJobCommands } from './fail-job.ts';
import type { WorkerStats } from '../stats/worker-stats.ts';

/**
 * Consumers of a group that held nothing for this long are deleted: ten
 * reclaim times, and never under an hour, so a worker that merely waited for
 * work through a quiet night is gone only if it also stopped reading (a live
 * one resets its idle time with every read, about once a second).
 */
export function forgetIdleConsumersMs(reclaimIdleMs: number): number {
  return Math.max(10 * reclaimIdleMs, 3_600_000);
}

type WorkerParts<M> = Pick<ConsumerOptions<M>, 'queue' | 'reader' | 'decode' | 'handle' | 'count' | 'discard' | 'hold'>;

/**
 * A consumer for a worker service: its name, dead-letter stream, delivery
 * limit and reclaim time come from config, and a dead-lettered job is marked
 * failed with the reason, and counted, the same way in every worker; a job
 * of a batch also counts as finished there, so a batch completes whichever
 * worker gave up on its last job. A job sent with a callback has its
 * `image.failed` webhook queued in the same MULTI.
 */
export function createWorkerConsumer<M>(
  config: Config,
  log: Logger,
  jobs: JobStore,
  k: Keys,
  stats: WorkerStats,
  parts: WorkerParts<M>,
): StreamConsumer<M> {
  const progress = new BatchProgress(parts.queue.redis, k.batchFinished, config.jobTtlSeconds);
  const events = new WebhookEvents(k.webhooks, publicBaseUrl(config));
  return new StreamConsumer({
    ...parts,
    consumer: config.consumerName,
    log: log.child({ consumer: config.consumerName }),
    onDeadLetter: (jobId, error, batchId, entry) => {
      const at = new Date().toISOString();
      return [
        ...failJobCommands(jobs, jobId, error, at),
        ...stats.failed(error.code),
        ...progress.finishCommands(batchId, jobId, 'failed', error),
        ...failedJobWebhook(events, jobId, error, at, entry),
      ];
    },
    // On the worker's heartbeat hash, where the dashboard and /readyz read it.
    onOutage: async (error) => {
      const key = k.worker(config.consumerName);
      const cmd = error
        ? ['HSET', key, 'outage', JSON.stringify({ ...error, since: new Date().toISOString() })]
        : ['HDEL', key, 'outage'];
      await parts.queue.redis.sendCommand(cmd as never);
    },
    deadKey: k.dead,
    maxDeliveries: config.maxDeliveries,
    reclaimIdleMs: config.reclaimIdleMs,
    forgetIdleMs: forgetIdleConsumersMs(config.reclaimIdleMs),
  });
}
