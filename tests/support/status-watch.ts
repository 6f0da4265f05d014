import { createClient } from 'redis';
import { keys } from '../../shared/queue/keys.ts';
import type { CheckedSystem } from './checked-system.ts';

const RANK: Record<string, number> = { queued: 0, processing: 1, saving: 2, done: 3, failed: 3 };

/**
 * Every status change the system announces (the PUBLISH that rides in each
 * status's own MULTI), recorded per job in order from the moment it is
 * opened, so a test sees a status that went back even if it ended right.
 * A subscriber of its own on the events channel, so what a watcher could see
 * is checked, not what the API's streams filter out.
 */
export class StatusWatch {
  /** job id → its statuses in the order they were announced. */
  readonly history = new Map<string, string[]>();

  private closeClient: () => Promise<unknown> = async () => {};

  /** Any running kadr: a TestSystem or a HostsSystem. */
  static async open(system: CheckedSystem): Promise<StatusWatch> {
    const client = createClient({ url: system.redisUrl });
    client.on('error', () => {});
    await client.connect();
    const watch = new StatusWatch();
    watch.closeClient = () => client.close();
    await client.subscribe(keys(system.env.KEY_PREFIX!).events, (message) => {
      const { id, status } = JSON.parse(message) as { id: string; status: string };
      const seen = watch.history.get(id) ?? [];
      seen.push(status);
      watch.history.set(id, seen);
    });
    return watch;
  }

  /** Jobs announced as something else after they were `done`, with their whole history. */
  wentBackFromDone(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, seen] of this.history) {
      const done = seen.indexOf('done');
      if (done >= 0 && seen.slice(done).some((s) => s !== 'done')) out[id] = seen;
    }
    return out;
  }

  /** Jobs whose statuses went backwards, or reached an end more than once: id → their statuses. */
  regressions(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, statuses] of this.history) {
      const ends = statuses.filter((s) => s === 'done' || s === 'failed').length;
      const backwards = statuses.some((s, i) => i > 0 && (RANK[s] ?? 0) < (RANK[statuses[i - 1]!] ?? 0));
      if (ends > 1 || backwards) out[id] = statuses;
    }
    return out;
  }

  close(): Promise<unknown> {
    return this.closeClient().catch(() => {});
  }
}
