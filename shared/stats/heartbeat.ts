import { hostname } from 'node:os';
import type { Logger } from '../logger.ts';
import type { Keys } from '../queue/keys.ts';
import { ConsumerNameInUseError } from '../errors.ts';
import type { Redis } from '../redis.ts';
import { command, text } from '../redis.ts';
import { RedisScript } from '../redis-script.ts';
import { WORKER_TTL_SECONDS } from './worker-stats.ts';

export type WorkerKind = 'processor' | 'saver';

/** Workers silent this long are dropped from the index (their hash is long expired). */
const FORGET_AFTER_MS = 3_600_000;

/**
 * One beat: the hash with its TTL, and the index entry scored by Redis's own
 * clock (TIME), as is the pruning of entries silent for ARGV[3] ms; with each
 * worker's clock, one running a day ahead would prune every other worker.
 * KEYS: hash, index; ARGV: ttl seconds, consumer, forget-after ms, then field/value pairs.
 */
const BEAT = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
return now`);

/** A worker heard from this recently (its heartbeat hash renewed, by Redis's clock) counts as alive. */
const ALIVE_WITHIN_MS = 3000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but not ours to signal
  }
}

/**
 * Refuses a consumer name that another live worker is using: two processes
 * sharing a name would each take the other's pending entries for their own.
 * Stable slot names make a restarted worker reuse its predecessor's name on
 * purpose, so a name is in use only if its heartbeat was renewed within the
 * last few seconds (judged by the hash's TTL, on Redis's clock) and, on this
 * host, its process still exists.
 */
export async function assertConsumerNameFree(redis: Redis, k: Pick<Keys, 'worker'>, consumer: string): Promise<void> {
  const key = k.worker(consumer);
  const [fields, ttl] = await Promise.all([command(redis, ['HMGET', key, 'host', 'pid']), command(redis, ['PTTL', key])]);
  const [host, pid] = (fields as Array<Buffer | null>).map((v) => (v == null ? undefined : text(v)));
  if (host === undefined || pid === undefined) return;
  const silentMs = WORKER_TTL_SECONDS * 1000 - Number(ttl);
  if (silentMs > ALIVE_WITHIN_MS) return;
  const sameHost = host === hostname();
  if (sameHost && (Number(pid) === process.pid || !processAlive(Number(pid)))) return;
  throw new ConsumerNameInUseError(
    `consumer name "${consumer}" is in use by a live worker (host ${host}, pid ${pid}, heard from ${Math.max(0, silentMs)} ms ago): ` +
      'set CONSUMER_NAME to a name of its own for each worker',
  );
}

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
    const fields = ['kind', who.kind, 'host', hostname(), 'pid', String(process.pid), 'started_at', started_at,
      'last_heartbeat', new Date().toISOString()];
    inFlight = BEAT.run(redis, [key, k.workers], [String(WORKER_TTL_SECONDS), who.consumer, String(FORGET_AFTER_MS), ...fields])
      .catch((err) => log.debug({ err }, 'heartbeat skipped'));
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
