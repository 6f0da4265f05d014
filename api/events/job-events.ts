import type { JobEvent } from '../../shared/jobs.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Redis } from '../../shared/redis.ts';
import { text } from '../../shared/redis.ts';

type Listener = (event: JobEvent) => void;

const LINGER_MS = 10_000;

/**
 * Fans the job status events out to this process's listeners over one
 * subscribed connection, however many pages watch. It is subscribed only
 * while someone watches (and LINGER_MS after the last one left): every job's
 * every status change is published on the channel, and receiving them all,
 * watched or not, was over half the api's CPU under load (each message
 * decoded and turned into a string by the client). The client subscribes
 * again by itself after a reconnect; events published while it was away are
 * not replayed, which is why watchers read the current status first.
 */
export class JobEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly onMessage = (message: unknown) => this.dispatch(text(message));
  private subscribed = false;
  /** Subscription changes, one at a time and in order, so a quick unwatch + watch never ends unsubscribed. */
  private changes: Promise<void> = Promise.resolve();
  private lingering: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** A dedicated connection: once subscribed it can run no other command. */
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly log: Logger,
    /** How long to stay subscribed after the last watcher left: a page that reconnects finds it still open. */
    private readonly lingerMs = LINGER_MS,
  ) {}

  /**
   * Calls `listener` for every change of one of `ids`; the returned function
   * stops it. Changes are heard once `listening()` resolves.
   */
  watch(ids: string[], listener: Listener): () => void {
    clearTimeout(this.lingering);
    for (const id of ids) {
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(listener);
    }
    void this.reconcile().catch(() => {}); // listening() reports a failure to whoever waits on it
    return () => {
      for (const id of ids) {
        const set = this.listeners.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(id);
      }
      if (this.listeners.size > 0) return;
      clearTimeout(this.lingering);
      this.lingering = setTimeout(() => {
        this.reconcile().catch((err) => this.log.warn({ err }, 'unsubscribing from job events failed'));
      }, this.lingerMs);
      this.lingering.unref?.();
    };
  }

  /** Resolves once Redis confirmed the subscription the current watchers need, so no later change is missed. */
  listening(): Promise<void> {
    return this.reconcile();
  }

  /** How many jobs are watched; 0 once every watcher has gone. */
  get watched(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    clearTimeout(this.lingering);
    this.listeners.clear();
    await this.subscriber.close();
  }

  /** Subscribes or unsubscribes so that the connection listens exactly while someone watches. */
  private reconcile(): Promise<void> {
    const next = this.changes.then(async () => {
      const wanted = this.listeners.size > 0;
      if (wanted === this.subscribed) return;
      if (wanted) await this.subscriber.subscribe(this.channel, this.onMessage);
      else await this.subscriber.unsubscribe(this.channel, this.onMessage);
      this.subscribed = wanted;
    });
    // A failed change is retried by the next one; it must not block them.
    this.changes = next.catch(() => {});
    return next;
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
