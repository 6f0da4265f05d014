/** Redis key names, all under one prefix so deployments and test runs never collide. */
export interface Keys {
  uploads: string;
  captioned: string;
  dead: string;
  job(id: string): string;
  /** Takes the sha256 of the client's Idempotency-Key, never the key itself. */
  idempotency(keyHash: string): string;
  /** A batch's finished jobs: job id → how it ended (see shared/batches/progress.ts). */
  batchFinished(batchId: string): string;
}

export const GROUPS = { processors: 'processors', savers: 'savers' } as const;

export function keys(prefix: string): Keys {
  return {
    uploads: `${prefix}stream:uploads`,
    captioned: `${prefix}stream:captioned`,
    dead: `${prefix}stream:dead`,
    job: (id) => `${prefix}job:${id}`,
    idempotency: (keyHash) => `${prefix}idem:${keyHash}`,
    batchFinished: (batchId) => `${prefix}batch:${batchId}:finished`,
  };
}
