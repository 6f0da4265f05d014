import postgres from 'postgres';
import { keys } from '../../shared/queue/keys.ts';
import { command, connectRedis, text, type Redis } from '../../shared/redis.ts';
import { silentLog } from './redis.ts';
import type { TestSystem } from './system.ts';

/** Everything an upload could leave behind, in a form tests can compare with toEqual. */
export interface Trace {
  /**
   * Keys under the system's prefix other than the three streams and the
   * workers' heartbeats (job statuses, idempotency records, statistics).
   */
  keys: string[];
  /** How many entries each stream has ever been given: XDEL after processing does not lower it. */
  added: { uploads: number; captioned: number; dead: number };
  rows: number;
  files: string[];
}

/** Reads what a running TestSystem has written to Redis, PostgreSQL and its images folder. */
export class Footprint {
  private constructor(
    private readonly system: TestSystem,
    private readonly redis: Redis,
    private readonly sql: postgres.Sql,
  ) {}

  static async open(system: TestSystem): Promise<Footprint> {
    const redis = await connectRedis(system.env.REDIS_URL!, silentLog);
    return new Footprint(system, redis, postgres(system.env.DATABASE_URL!, { max: 1, onnotice: () => {} }));
  }

  async take(): Promise<Trace> {
    const prefix = this.system.env.KEY_PREFIX!;
    const k = keys(prefix);
    const streams = [k.uploads, k.captioned, k.dead];
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = (await command(this.redis, ['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [Buffer, Buffer[]];
      cursor = text(next);
      found.push(...batch.map(text));
    } while (cursor !== '0');
    const [{ count }] = await this.sql<[{ count: number }]>`select count(*)::int as count from images`;
    return {
      // Heartbeats are written by the running workers every second, uploads or not.
      keys: found.filter((key) => !streams.includes(key) && key !== k.workers && !key.startsWith(k.worker(''))).sort(),
      added: { uploads: await this.added(k.uploads), captioned: await this.added(k.captioned), dead: await this.added(k.dead) },
      rows: count,
      files: await this.system.objects(),
    };
  }

  private async added(stream: string): Promise<number> {
    let info: unknown;
    try {
      info = await command(this.redis, ['XINFO', 'STREAM', stream]);
    } catch {
      return 0; // no such stream yet
    }
    // node-redis turns the XINFO STREAM reply into a plain object.
    return Number((info as Record<string, unknown>)['entries-added']);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.redis.close(), this.sql.end()]);
  }
}
