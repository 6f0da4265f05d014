import { hostname } from 'node:os';
import type { Logger } from '../logger.ts';
import type { Keys } from '../queue/keys.ts';
import type { Redis } from '../redis.ts';
import { WORKER_TTL_SECONDS } from './worker-stats.ts';

export type WorkerKind = 'processor' | 'saver';

/** Workers silent this long are dropped from the index (their hash is long expired). */
const FORGET_AFTER_MS = 3_600_000;

/**
 * Writes this worker's heartbeat hash every `intervalMs` with a TTL, and keeps
 * it in the workers index, so the dashboard sees every worker on every host
 * from Redis alone. A missed beat (Redis away) is simply skipped.
 */
export function startHeartbeat(
  redis: Redis,
  k: Pick<Keys, 'worker' | 'workers'>,
  who: { kind: WorkerKind; consumer: string },
  log: Logger,
  intervalMs = 1000,
): { stop(): Promise<void> } {
  const key = k.worker(who.consumer);
  const started_at = new Date().toISOString();
  let inFlight: Promise<unknown> = Promise.resolve();
  const beat = () => {
    const now = Date.now();
    const tx = redis.multi();
    tx.addCommand(['HSET', key, 'kind', who.kind, 'host', hostname(), 'pid', String(process.pid), 'started_at', started_at,
      'last_heartbeat', new Date(now).toISOString()] as never);
    tx.addCommand(['EXPIRE', key, String(WORKER_TTL_SECONDS)] as never);
    tx.addCommand(['ZADD', k.workers, String(now), who.consumer] as never);
    tx.addCommand(['ZREMRANGEBYSCORE', k.workers, '-inf', String(now - FORGET_AFTER_MS)] as never);
    inFlight = tx.exec().catch((err) => log.debug({ err }, 'heartbeat skipped'));
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
