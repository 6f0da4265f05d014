import { expect } from 'bun:test';
import { connectRedis, command, text, type Redis } from '../../shared/redis.ts';
import { replyRecord } from '../../shared/redis-reply.ts';
import { statsKeys } from '../../shared/stats/layout.ts';
import type { Probe } from './probe.ts';
import { silentLog } from './redis.ts';
import type { TestSystem } from './system.ts';

const RANK: Record<string, number> = { queued: 0, processing: 1, saving: 2, done: 3, failed: 3 };

/**
 * Every status change the system announces, per job, in the order Redis
 * published them: a subscriber of its own on the events channel, so what a
 * watcher could see is checked, not what the API's streams filter out.
 */
export class StatusEvents {
  readonly byJob = new Map<string, string[]>();
  private constructor(private readonly subscriber: Redis) {}

  static async open(system: TestSystem, probe: Probe): Promise<StatusEvents> {
    const subscriber = await connectRedis(system.env.REDIS_URL!, silentLog);
    const events = new StatusEvents(subscriber);
    await subscriber.subscribe(probe.k.events, (message: Buffer | string) => {
      const { id, status } = JSON.parse(String(message)) as { id: string; status: string };
      const seen = events.byJob.get(id) ?? [];
      seen.push(status);
      events.byJob.set(id, seen);
    });
    return events;
  }

  /** Jobs whose statuses went backwards, or reached an end more than once: id → their statuses. */
  regressions(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, statuses] of this.byJob) {
      const ends = statuses.filter((s) => s === 'done' || s === 'failed').length;
      const backwards = statuses.some((s, i) => i > 0 && (RANK[s] ?? 0) < (RANK[statuses[i - 1]!] ?? 0));
      if (ends > 1 || backwards) out[id] = statuses;
    }
    return out;
  }

  close(): Promise<unknown> {
    return this.subscriber.close().catch(() => {});
  }
}

/**
 * Nothing was done twice, by the system's own counts: stats count one `done`
 * per done job, and stream 2 was added to once per job (XINFO's
 * entries-added counts entries since deleted too).
 */
export async function expectCountedOnce(probe: Probe, jobs: number, done: number): Promise<void> {
  const totals = statsKeys(probe.k.stats).totals;
  const counted = await command(probe.redis, ['HGET', totals, 'done']);
  const info = replyRecord(await command(probe.redis, ['XINFO', 'STREAM', probe.k.captioned]));
  expect({ statsDone: Number(counted == null ? 0 : text(counted)), handedOver: Number(info['entries-added']) }).toEqual({ statsDone: done, handedOver: jobs });
}
