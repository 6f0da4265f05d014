import { createClient } from 'redis';
import { keys } from '../../shared/queue/keys.ts';
import type { CheckedSystem } from './checked-system.ts';

/**
 * Every status change the system announces (the PUBLISH that rides in each
 * status's own MULTI), recorded per job in order from the moment it is
 * opened, so a test sees a status that went back even if it ended right.
 */
export class StatusWatch {
  /** job id → its statuses in the order they were announced. */
  readonly history = new Map<string, string[]>();

  private closeClient: () => Promise<unknown> = async () => {};

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

  close(): Promise<unknown> {
    return this.closeClient().catch(() => {});
  }
}
