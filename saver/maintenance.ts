import type { Sql } from '../shared/db.ts';
import type { BatchProgress } from '../shared/batches/progress.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import { command } from '../shared/redis.ts';
import { completeFinishedBatches } from './batch-completion.ts';
import { queueOwedBatchWebhooks, type BatchWebhookDeps } from './batch-webhooks.ts';
import type { ObjectStore } from '../shared/storage/store.ts';
import { failLostBatches } from './lost-batches.ts';
import { sweepExpired } from './sweep.ts';
import { sweepOrphans, type OrphanDeps } from './orphan-sweep.ts';

export interface MaintenanceDeps {
  sql: Sql;
  redis: Redis;
  progress: BatchProgress;
  /** The Redis key of a job's status hash, dropped with its expired batch. */
  jobKey: (id: string) => string;
  store: ObjectStore;
  /** The claim check's orphan sweep (see orphan-sweep.ts). */
  orphans: OrphanDeps;
  intervalMs: number;
  batchTtlSeconds: number;
  /** BATCH_LOST_AFTER_SECONDS (see failLostBatches). */
  batchLostAfterSeconds: number;
  imageTtlSeconds: number | undefined;
  /** Where completed batches' owed webhooks are queued from. */
  batchWebhooks: BatchWebhookDeps;
  log: Logger;
}

/**
 * Every `intervalMs`, completes batches whose last job was dead-lettered,
 * ends batches whose queueing never happened, queues the webhooks completed
 * batches still owe, sweeps what has expired and deletes orphaned objects. Every saver runs it; the sweep is safe to run on
 * all of them at once. A failed round is logged and the next one tries
 * again. Answers a stop function that waits for the round in hand.
 */
export function startMaintenance(deps: MaintenanceDeps): () => Promise<void> {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = runRound(deps).finally(schedule);
    }, deps.intervalMs);
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await round;
  };
}

async function runRound(deps: MaintenanceDeps): Promise<void> {
  await sweepExpiredRound(deps);
  try {
    const orphans = await sweepOrphans(deps.orphans, deps.sql);
    if (orphans.deleted.length || orphans.owned) deps.log.info({ deleted: orphans.deleted, owned: orphans.owned, kept: orphans.kept }, 'swept orphaned objects');
  } catch (err) {
    deps.log.warn({ err }, 'orphan sweep failed; retrying next round');
  }
}

async function sweepExpiredRound(deps: MaintenanceDeps): Promise<void> {
  const { sql, log } = deps;
  try {
    const completed = await completeFinishedBatches(sql, deps.progress, deps.batchTtlSeconds);
    if (completed) log.info({ completed }, 'completed batches whose last job failed');
    const lost = await failLostBatches({ ...deps, lostAfterSeconds: deps.batchLostAfterSeconds });
    if (lost.length) log.warn({ batches: lost }, 'ended batches failed whose jobs were never queued');
    // After both: either may have completed a batch with a callback.
    const owed = await queueOwedBatchWebhooks(deps.batchWebhooks);
    if (owed) log.info({ owed }, 'queued the batch.complete webhooks of completed batches');
    const swept = await sweepExpired(sql, deps.store, { imageTtlSeconds: deps.imageTtlSeconds });
    if (swept.batches.length === 0 && swept.rows === 0) return;
    // Redis keeps statuses only for a while anyway; dropping them now makes "deleted" mean deleted.
    await deps.progress.forget(swept.batches);
    if (swept.jobs.length) await command(deps.redis, ['DEL', ...swept.jobs.map(deps.jobKey)]);
    log.info({ batches: swept.batches, rows: swept.rows, files: swept.files.length }, 'swept expired images');
  } catch (err) {
    log.warn({ err }, 'maintenance round failed; retrying next round');
  }
}
