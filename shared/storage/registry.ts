import type { Command } from '../queue/stream.ts';
import { command, text, type Redis } from '../redis.ts';
import { RedisScript } from '../redis-script.ts';

/**
 * Adds a key scored by Redis' own clock, so that every host measures an
 * object's age against one clock, never its own.
 */
const REGISTER = new RedisScript(`
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], t[1] .. '.' .. string.format('%06d', tonumber(t[2])), ARGV[1])
return 1`);

/** The keys registered at least ARGV[1] seconds ago by Redis' clock, oldest first, ARGV[3] of them from the ARGV[2]th. */
const OLDER_THAN = new RedisScript(`
local t = redis.call('TIME')
local before = string.format('%.6f', tonumber(t[1]) + tonumber(t[2]) / 1000000 - tonumber(ARGV[1]))
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', before, 'LIMIT', tonumber(ARGV[2]), tonumber(ARGV[3]))`);

/**
 * The claim check's registry of objects written for jobs (uploads held by
 * reference, results written by a processor) that no row owns yet and that
 * nobody has deleted: a Redis sorted set, key → when it was registered.
 * A key is registered BEFORE its object is written, so no object can exist
 * unregistered; the orphan sweep (saver/orphan-sweep.ts) works from this set
 * alone, never from a bucket listing (which scales badly, and which s3rver
 * cannot page through).
 */
export class ObjectRegistry {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async register(objectKey: string): Promise<void> {
    await REGISTER.run(this.redis, [this.key], [objectKey]);
  }

  /** Forgets a key whose object is deleted or owned by a row, in the caller's MULTI. */
  forgetCommands(objectKey: string): Command[] {
    return [['ZREM', this.key, objectKey]];
  }

  async forget(objectKey: string): Promise<void> {
    await command(this.redis, this.forgetCommands(objectKey)[0]!);
  }

  /** Up to `limit` keys registered at least `ageSeconds` ago by Redis' clock, oldest first, skipping the first `offset`. */
  async olderThan(ageSeconds: number, offset: number, limit: number): Promise<string[]> {
    const raw = (await OLDER_THAN.run(this.redis, [this.key], [String(ageSeconds), String(offset), String(limit)])) as Buffer[];
    return raw.map(text);
  }
}
