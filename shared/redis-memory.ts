import { command, text, type Redis } from './redis.ts';

export interface RedisMemory {
  /** INFO memory's used_memory, bytes. */
  used: number;
  /** Its maxmemory; 0 means no limit. */
  max: number;
  policy: string;
}

/** Reads one `field:value` line of an INFO reply. */
function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

export async function readRedisMemory(redis: Redis): Promise<RedisMemory> {
  const info = text(await command(redis, ['INFO', 'memory']));
  return {
    used: Number(infoField(info, 'used_memory') ?? 0),
    max: Number(infoField(info, 'maxmemory') ?? 0),
    policy: infoField(info, 'maxmemory_policy') ?? 'noeviction',
  };
}

/**
 * Redis' maxmemory-policy: CONFIG GET, or INFO memory's maxmemory_policy
 * where CONFIG is disabled or renamed (as managed Redis services often do).
 */
export async function readEvictionPolicy(redis: Redis): Promise<string> {
  try {
    const reply = await command(redis, ['CONFIG', 'GET', 'maxmemory-policy']);
    // RESP2 answers [name, value], RESP3 a map.
    const value = Array.isArray(reply) ? reply[1] : reply instanceof Map ? [...reply.values()][0] : (reply as Record<string, unknown>)['maxmemory-policy'];
    if (value !== undefined) return text(value);
  } catch {
    // CONFIG refused: fall through to INFO
  }
  return (await readRedisMemory(redis)).policy;
}

/**
 * Refuses a Redis that may evict keys: streams, consumer groups and job
 * records would vanish under memory pressure, and accepted uploads with
 * them, silently. Every service checks this at start.
 */
export async function requireNoEviction(redis: Redis, where: string): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy !== 'noeviction') {
    throw new Error(
      `Redis at ${where} has maxmemory-policy ${policy}: under memory pressure it would evict kadr's queues, ` +
        'consumer groups and job records, losing accepted uploads without a trace. ' +
        'Set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction); ' +
        'kadr then refuses uploads (503 queue_full) before Redis fills up.',
    );
  }
}

/**
 * Whether Redis has memory left for another upload: its used_memory stays
 * under `percent` % of its maxmemory, leaving the rest to the workers, who
 * must still hand over and acknowledge what was accepted. Read from INFO at
 * most every `maxAgeMs`, so admission costs no round trip of its own under
 * load; what this process admitted since the reading is added to it, since a
 * burst within `maxAgeMs` would otherwise overshoot the limit by megabytes
 * (and a Redis at its maxmemory refuses the workers' hand-overs too).
 */
export class RedisMemoryGauge {
  private seen: RedisMemory | undefined;
  private seenAt = Number.NEGATIVE_INFINITY;
  private admitted = 0;

  constructor(
    private readonly redis: Redis,
    readonly percent: number,
    private readonly maxAgeMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True, and `bytes` counted as admitted, when `bytes` more stay under the limit. */
  async hasRoom(bytes = 0): Promise<boolean> {
    if (!this.seen || this.now() - this.seenAt > this.maxAgeMs) {
      this.seen = await readRedisMemory(this.redis);
      this.seenAt = this.now();
      this.admitted = 0;
    }
    if (this.seen.max === 0) return true;
    if (this.seen.used + this.admitted + bytes > (this.seen.max * this.percent) / 100) return false;
    this.admitted += bytes;
    return true;
  }
}
