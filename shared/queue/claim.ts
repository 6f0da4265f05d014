import type { Logger } from '../logger.ts';
import type { StreamQueue } from './stream.ts';

/** Thrown by `throwIfLost` to stop work whose result would be refused anyway. */
export class ClaimLostError extends Error {
  readonly code = 'claim_lost';
  constructor(entryId: string) {
    super(`entry ${entryId} was reclaimed by another consumer`);
    this.name = 'ClaimLostError';
  }
}

/**
 * A consumer's hold on the entry in hand. While held, the entry's idle time
 * is reset every `renewMs` (a third of RECLAIM_IDLE_MS), as BullMQ renews its
 * locks, so a job slower than the reclaim time is not taken over by another
 * consumer while this one still works on it. Renewal checks ownership; once
 * it finds the entry gone to someone else, the claim is lost for good and
 * this consumer's result must be discarded (see hand-over.ts).
 */
export class Claim {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private released = false;
  private gone = false;

  constructor(
    readonly queue: StreamQueue,
    readonly consumer: string,
    readonly entryId: string,
    private readonly renewMs: number,
    private readonly log: Logger,
    /** What the entry is charged against its stream's byte counter (fieldsCost), uncharged by the hand-over. */
    readonly cost = 0,
  ) {
    this.schedule();
  }

  /** True once renewal found the entry held by another consumer (or finished by one). */
  get lost(): boolean {
    return this.gone;
  }

  /** Stops work early where that is cheap (between pipeline steps, before writing). */
  throwIfLost(): void {
    if (this.gone) throw new ClaimLostError(this.entryId);
  }

  /** Stops renewing; called when the handler ends, however it ends. Idempotent. */
  release(): void {
    this.released = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.released || this.gone) return;
    this.timer = setTimeout(() => void this.renew(), this.renewMs);
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.queue.keepClaimed(this.consumer, this.entryId)) && !this.released) {
        this.gone = true;
        this.log.warn({ entryId: this.entryId }, 'claim lost: the entry was reclaimed by another consumer');
      }
    } catch {
      // Redis away: the hand-over's own ownership check decides in the end.
    }
    this.schedule();
  }
}
