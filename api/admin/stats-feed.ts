import type { Logger } from '../../shared/logger.ts';
import type { StatsSnapshot } from './stats-snapshot.ts';

type Listener = (snapshot: StatsSnapshot) => void;

/**
 * One reading of the statistics per interval, shared by every open dashboard
 * of this process, and none while no dashboard is open. A reading that fails
 * (Redis away) is skipped; the dashboard shows how old its numbers are.
 */
export class StatsFeed {
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading = false;

  constructor(
    private readonly read: () => Promise<StatsSnapshot>,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private async tick(): Promise<void> {
    // A slow reading is not stacked up behind another.
    if (this.reading) return;
    this.reading = true;
    try {
      const snapshot = await this.read();
      for (const listener of this.listeners) listener(snapshot);
    } catch (err) {
      this.log.warn({ err }, 'statistics reading failed; skipped');
    } finally {
      this.reading = false;
    }
  }
}
