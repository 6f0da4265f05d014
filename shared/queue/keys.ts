/** Redis key names, all under one prefix so deployments and test runs never collide. */
export interface Keys {
  uploads: string;
  captioned: string;
  dead: string;
  /** Webhook events waiting for delivery (see shared/webhooks). */
  webhooks: string;
  /** Sorted set of webhook deliveries waiting to be retried, scored by when they are due (Redis TIME, ms). */
  webhookRetries: string;
  job(id: string): string;
  /** Takes the sha256 of the client's Idempotency-Key, never the key itself. */
  idempotency(keyHash: string): string;
  /**
   * Pub/sub channel carrying every job status change. Redis shares pub/sub
   * across database numbers, so the channel names the database too: two
   * deployments with one prefix on two databases must not hear each other.
   */
  events: string;
  /** A worker's heartbeat hash, by consumer name. */
  worker(consumer: string): string;
  /** Sorted set of worker consumer names, scored by their last heartbeat (ms, Redis's clock). */
  workers: string;
  /** Prefix of every statistics key (see shared/stats). */
  stats: string;
  /** A batch's finished jobs: job id → how it ended (see shared/batches/progress.ts). */
  batchFinished(batchId: string): string;
  /**
   * Sorted set of the object keys written for jobs and not yet owned by a row
   * or deleted (the claim check's registry), scored by Redis' TIME when registered.
   */
  objects: string;
}

export const GROUPS = { processors: 'processors', savers: 'savers', webhooks: 'webhooks' } as const;

/** `database` is the one in REDIS_URL (Config.redisDatabase). */
export function keys(prefix: string, database = 0): Keys {
  return {
    uploads: `${prefix}stream:uploads`,
    captioned: `${prefix}stream:captioned`,
    dead: `${prefix}stream:dead`,
    webhooks: `${prefix}stream:webhooks`,
    webhookRetries: `${prefix}webhooks:retries`,
    job: (id) => `${prefix}job:${id}`,
    idempotency: (keyHash) => `${prefix}idem:${keyHash}`,
    events: `${prefix}db${database}:events`,
    worker: (consumer) => `${prefix}worker:${consumer}`,
    workers: `${prefix}workers`,
    stats: `${prefix}stats:`,
    batchFinished: (batchId) => `${prefix}batch:${batchId}:finished`,
    objects: `${prefix}objects`,
  };
}
