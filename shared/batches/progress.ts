import type { SerializedError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { Command } from '../queue/stream.ts';
import type { Redis } from '../redis.ts';
import { command } from '../redis.ts';
import { replyRecord } from '../redis-reply.ts';


/** How one job of a batch ended, as recorded when it ended. */
export interface Finish {
  status: 'done' | 'failed';
  /** ISO instant of the end; the batch completes at the latest one. */
  at: string;
  /** Why it failed (status "failed" only), kept for the archive's failed.txt. */
  error?: { code: string; message: string };
}

/**
 * The finished jobs of each batch, one Redis hash per batch: job id → its
 * Finish as JSON. Jobs end in a worker's MULTI (the saver's `done`, any
 * worker's dead-lettering), so the record joins that MULTI; HSETNX keeps the
 * first end of a job, so a job finished twice (at-least-once delivery) is
 * counted once. A batch is complete when the hash holds every job.
 */
export class BatchProgress {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (batchId: string) => string,
    private readonly ttlSeconds: number,
  ) {}

  /** Commands recording that `jobId` of `batchId` ended; none outside a batch or for ids that are not UUIDs. */
  finishCommands(batchId: string | undefined, jobId: string | undefined, status: Finish['status'], error?: SerializedError): Command[] {
    if (!isUuid(batchId) || !isUuid(jobId)) return [];
    const finish: Finish = { status, at: new Date().toISOString() };
    if (error) finish.error = { code: error.code, message: error.message };
    const key = this.keyOf(batchId);
    return [
      ['HSETNX', key, jobId, JSON.stringify(finish)],
      ['EXPIRE', key, String(this.ttlSeconds)],
    ];
  }

  /** Every finished job of the batch, by job id. */
  async finished(batchId: string): Promise<Map<string, Finish>> {
    const record = replyRecord(await command(this.redis, ['HGETALL', this.keyOf(batchId)]));
    return new Map(Object.entries(record).map(([jobId, json]) => [jobId, JSON.parse(String(json)) as Finish]));
  }

  /** How many jobs of the batch have ended (HLEN: the hash's size, not its records). */
  async count(batchId: string): Promise<number> {
    return Number(await command(this.redis, ['HLEN', this.keyOf(batchId)]));
  }

  /** Drops the records of swept batches. */
  async forget(batchIds: string[]): Promise<void> {
    if (batchIds.length) await command(this.redis, ['DEL', ...batchIds.map(this.keyOf)]);
  }
}

/** When the batch completed: the last end among its jobs, once all `imageCount` have ended; undefined while running. */
export function completedAt(finished: Map<string, Finish>, imageCount: number): string | undefined {
  if (finished.size < imageCount) return undefined;
  let last: Finish | undefined;
  for (const f of finished.values()) if (!last || Date.parse(f.at) > Date.parse(last.at)) last = f;
  return last?.at;
}
