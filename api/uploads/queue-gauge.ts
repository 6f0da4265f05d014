import type { StreamQueue } from '../../shared/queue/stream.ts';
import type { RedisMemoryGauge } from '../../shared/redis-memory.ts';

/**
 * The uploads queue's length as last seen, so that admitting an upload
 * usually costs no Redis round trip of its own (XLEN was about a quarter of
 * the API's CPU per upload). Every enqueue's MULTI ends with an XLEN whose
 * answer is recorded here, so under load the uploads keep the figure fresh;
 * a figure older than `maxAgeMs` is read again. The limit is therefore soft
 * by what other API instances add within `maxAgeMs`, which backpressure
 * tolerates: it exists to keep Redis from filling up, not to count exactly.
 */
export class QueueGauge {
  private length = 0;
  private seenAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly queue: StreamQueue,
    private readonly maxAgeMs = 100,
    private readonly now: () => number = () => performance.now(),
    /** Redis' memory against its maxmemory, checked by the same admission (see enqueue.ts). */
    readonly memory?: RedisMemoryGauge,
  ) {}

  /**
   * True when the queue has room for one more. A full reading is always
   * checked afresh, since processors may have drained the queue since.
   */
  async hasRoom(maxLength: number): Promise<boolean> {
    if (this.now() - this.seenAt > this.maxAgeMs || this.length >= maxLength) {
      this.record(await this.queue.length());
    }
    return this.length < maxLength;
  }

  /** Records a length read by someone else (the enqueue's own XLEN). */
  record(length: number): void {
    this.length = length;
    this.seenAt = this.now();
  }
}
