import type { JobEvent } from '../shared/jobs.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import { text } from '../shared/redis.ts';

type Listener = (event: JobEvent) => void;

/**
 * Fans the job status events out to this process's listeners over one
 * subscribed connection, however many pages watch. The client subscribes
 * again by itself after a reconnect; events published while it was away are
 * not replayed, which is why watchers read the current status first.
 */
export class JobEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    /** A dedicated connection: once subscribed it can run no other command. */
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly log: Logger,
  ) {}

  /** Resolves once Redis confirmed the subscription, so no later change is missed. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel, (message: unknown) => this.dispatch(text(message)));
  }

  /** Calls `listener` for every change of one of `ids`; the returned function stops it. */
  watch(ids: string[], listener: Listener): () => void {
    for (const id of ids) {
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(listener);
    }
    return () => {
      for (const id of ids) {
        const set = this.listeners.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(id);
      }
    };
  }

  /** How many jobs are watched; 0 once every watcher has gone. */
  get watched(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber.close();
  }

  private dispatch(message: string): void {
    // Every job's every status change arrives here; with nobody watching
    // (the usual case under load) it is not worth parsing.
    if (this.listeners.size === 0) return;
    let event: JobEvent;
    try {
      event = JSON.parse(message) as JobEvent;
    } catch (err) {
      this.log.warn({ err }, 'unreadable job event ignored');
      return;
    }
    for (const listener of this.listeners.get(event.id) ?? []) listener(event);
  }
}
