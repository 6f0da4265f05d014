import { command, connectRedis, text, type Redis } from '../../shared/redis.ts';
import { GROUPS, keys, type Keys } from '../../shared/queue/keys.ts';
import { silentLog } from './redis.ts';
import type { CheckedSystem } from './checked-system.ts';

export interface QueueState {
  uploads: number;
  captioned: number;
  pendingUploads: number;
  pendingCaptioned: number;
}

/**
 * Reads a running system's Redis state the way an operator would: stream
 * lengths, pending entries per consumer, job statuses. Read-only.
 */
export class Probe {
  private constructor(
    readonly redis: Redis,
    readonly k: Keys,
  ) {}

  static async open(system: CheckedSystem): Promise<Probe> {
    return new Probe(await connectRedis(system.redisUrl, silentLog), keys(system.env.KEY_PREFIX!));
  }

  async queues(): Promise<QueueState> {
    const { k } = this;
    const [uploads, captioned, pu, pc] = await Promise.all([
      command(this.redis, ['XLEN', k.uploads]),
      command(this.redis, ['XLEN', k.captioned]),
      command(this.redis, ['XPENDING', k.uploads, GROUPS.processors]),
      command(this.redis, ['XPENDING', k.captioned, GROUPS.savers]),
    ]);
    const pending = (summary: unknown) => Number((summary as [number])[0]);
    return { uploads: Number(uploads), captioned: Number(captioned), pendingUploads: pending(pu), pendingCaptioned: pending(pc) };
  }

  /** Ids of the entries `consumer` has read and not yet acknowledged. */
  async pending(stream: 'uploads' | 'captioned', consumer: string): Promise<string[]> {
    const group = stream === 'uploads' ? GROUPS.processors : GROUPS.savers;
    const raw = (await command(this.redis, ['XPENDING', this.k[stream], group, '-', '+', '1000', consumer])) as Array<[Buffer]>;
    return raw.map(([id]) => text(id));
  }

  /** Each id's job status, `missing` when Redis has none. */
  async statuses(ids: string[]): Promise<Map<string, string>> {
    const replies = await Promise.all(ids.map((id) => command(this.redis, ['HGET', this.k.job(id), 'status'])));
    return new Map(ids.map((id, i) => [id, replies[i] == null ? 'missing' : text(replies[i])]));
  }

  close(): Promise<unknown> {
    return this.redis.close().catch(() => {});
  }
}
