import { createHash } from 'node:crypto';
import { command, type Redis } from './redis.ts';

/**
 * A Lua script sent by its SHA1 (EVALSHA), so the body crosses the wire once
 * per Redis process rather than once per call. Redis forgets scripts when it
 * restarts; a NOSCRIPT answer (Redis's own error code, the first word of the
 * reply) sends the body once more with EVAL, which caches it again.
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * The script as one command for a MULTI: EVAL with its body, since inside
   * a transaction a NOSCRIPT answer would fail this command alone while the
   * rest ran. Redis caches the compiled body by its hash all the same.
   */
  command(keys: string[], args: Array<string | Buffer>): Array<string | Buffer> {
    return ['EVAL', this.source, String(keys.length), ...keys, ...args];
  }

  async run(redis: Redis, keys: string[], args: Array<string | Buffer>): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await command(redis, ['EVALSHA', this.sha, ...tail]);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return command(redis, ['EVAL', this.source, ...tail]);
    }
  }
}
