import type { Command } from '../../shared/queue/stream.ts';
import type { Redis } from '../../shared/redis.ts';
import { command } from '../../shared/redis.ts';
import { RedisScript } from '../../shared/redis-script.ts';
import { deliveryFields, type Delivery } from '../../shared/webhooks/events.ts';

/**
 * Moves every due retry (score ≤ Redis's own clock, in ms) back onto the
 * webhooks stream, at most ARGV[1] of them, in one step: run by several
 * savers at once, each due retry is moved once. KEYS: the set, the stream.
 */
const MOVE_DUE = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(due) do
  local d = cjson.decode(m)
  redis.call('XADD', KEYS[2], '*', 'event_id', d.event_id, 'type', d.type, 'url', d.url, 'body', d.body, 'attempt', d.attempt)
  redis.call('ZREM', KEYS[1], m)
end
return #due`);

/**
 * Webhook deliveries waiting for their next try: a sorted set in Redis scored
 * by when each is due on Redis's clock (TIME), never a host's, so the
 * schedule survives restarts and any saver may move a retry when it is due.
 */
export class RetrySet {
  constructor(
    private readonly redis: Redis,
    private readonly setKey: string,
    private readonly streamKey: string,
  ) {}

  /** Redis's clock, in ms. */
  async now(): Promise<number> {
    const [s, us] = (await command(this.redis, ['TIME'])) as [Buffer, Buffer];
    return Number(String(s)) * 1000 + Math.floor(Number(String(us)) / 1000);
  }

  /** The command that parks `delivery` until `dueMs`, for the hand-over that finishes its failed try. */
  scheduleCommands(delivery: Delivery, dueMs: number): Command[] {
    const f = deliveryFields(delivery);
    const member: Record<string, string> = {};
    for (let i = 0; i < f.length; i += 2) member[f[i]!] = f[i + 1]!;
    return [['ZADD', this.setKey, String(dueMs), JSON.stringify(member)]];
  }

  /** Moves the due retries back to the stream; answers how many. */
  async moveDue(limit = 100): Promise<number> {
    return Number(await MOVE_DUE.run(this.redis, [this.setKey, this.streamKey], [String(limit)]));
  }
}
