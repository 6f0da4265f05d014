import type { Sql } from '../shared/db.ts';
import type { BatchProgress } from '../shared/batches/progress.ts';
import type { Redis } from '../shared/redis.ts';
import { command } from '../shared/redis.ts';
import { completeBatch } from './batch-completion.ts';

export interface LostBatchDeps {
  sql: Sql;
  redis: Redis;
  progress: BatchProgress;
  /** The Redis key of a job's status hash. */
  jobKey: (id: string) => string;
  /** BATCH_LOST_AFTER_SECONDS: how old a running batch with nothing in Redis must be to count as lost. */
  lostAfterSeconds: number;
  batchTtlSeconds: number;
}

/** Why the jobs of a lost batch failed, as failed.txt and the batch's status show it. */
export const NOT_QUEUED = {
  name: 'BatchNotQueued',
  code: 'not_queued',
  message: 'never queued: Redis went away while the batch was being queued (503 outcome_unknown) and none of its jobs reached it',
};

/**
 * Ends `failed` every running batch whose queueing was in doubt and did not
 * happen: older than `lostAfterSeconds` (by the database's clock), and not
 * one of its jobs has a status in Redis nor has ended. A queued job always
 * has its status hash (written in the MULTI that queues it, kept for
 * JOB_TTL_SECONDS), so none means the MULTI never ran; a MULTI cut off by a
 * dropped connection is discarded by Redis, never run later. Each job is
 * recorded failed with NOT_QUEUED and the batch completed, so it expires and
 * is swept like any other. Safe on several savers at once: the records are
 * HSETNX (the first wins) and completeBatch completes a batch once. Answers
 * the batches it ended.
 */
export async function failLostBatches(deps: LostBatchDeps, limit = 100): Promise<string[]> {
  const { sql, redis, progress } = deps;
  const stale = await sql<{ id: string }[]>`
    select id from batches
     where completed_at is null and expired_at is null
       and created_at <= now() - make_interval(secs => ${deps.lostAfterSeconds})
     order by created_at limit ${limit}`;
  const ended: string[] = [];
  for (const { id } of stale) {
    const jobs = (await sql<{ job_id: string }[]>`select job_id from batch_jobs where batch_id = ${id}`).map((r) => r.job_id);
    if (jobs.length === 0) continue;
    if (Number(await command(redis, ['EXISTS', ...jobs.map(deps.jobKey)])) > 0) continue;
    if ((await progress.count(id)) > 0) continue;
    const tx = redis.multi();
    for (const job of jobs) for (const c of progress.finishCommands(id, job, 'failed', NOT_QUEUED)) tx.addCommand(c as never);
    await tx.exec();
    if (await completeBatch(sql, progress, id, deps.batchTtlSeconds)) ended.push(id);
  }
  return ended;
}
