import { ServiceUnavailableError } from '../../shared/errors.ts';
import type { Keys } from '../../shared/queue/keys.ts';
import type { Command } from '../../shared/queue/stream.ts';
import { captionedLimit, queuedBytesKey } from '../../shared/queue/stream-bytes.ts';
import { command, type Redis } from '../../shared/redis.ts';
import { calling } from '../../shared/unavailable.ts';

/**
 * Admission by bytes (REDIS_MAX_QUEUED_BYTES): what the three streams' entries
 * cost (their counters, see shared/queue/stream-bytes.ts), stream 2 counted
 * as at least its own limit, plus what this API has admitted and not yet seen
 * queued, must leave room for the upload. The counters are read with every
 * enqueue's MULTI (one MGET in it, no round trip of its own) and afresh when
 * older than `maxAgeMs` or too full to admit, since workers drain them.
 * Within one API the bound is exact; several APIs may overshoot it by what
 * the others admit within `maxAgeMs`.
 */
export class QueuedBytes {
  private seen = 0;
  private seenAt = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly counters: string[];

  constructor(
    private readonly redis: Redis,
    k: Pick<Keys, 'uploads' | 'captioned' | 'dead'>,
    readonly maxBytes: number,
    private readonly maxAgeMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.counters = [k.uploads, k.captioned, k.dead].map(queuedBytesKey);
  }

  /** The MGET to put at the end of an enqueue's MULTI; its reply goes to `record`. */
  readCommand(): Command {
    return ['MGET', ...this.counters];
  }

  record(reply: unknown): void {
    const [uploads = 0, captioned = 0, dead = 0] = (reply as Array<Buffer | null>).map((v) => Number(v ?? 0));
    this.seen = Math.max(0, uploads) + Math.max(0, dead) + Math.max(captioned, captionedLimit(this.maxBytes));
    this.seenAt = this.now();
  }

  /**
   * Admits `cost` more bytes or throws 503 queue_full (Retry-After). The
   * answer releases the admission once its MULTI has run, or surely failed.
   */
  async admit(cost: number): Promise<() => void> {
    if (this.now() - this.seenAt > this.maxAgeMs || !this.fits(cost)) {
      this.record(await calling('redis', command(this.redis, this.readCommand())));
    }
    if (!this.fits(cost)) {
      throw new ServiceUnavailableError(
        `the processing queue is full (its streams hold ${this.seen + this.inFlight} of REDIS_MAX_QUEUED_BYTES ${this.maxBytes} bytes); try again shortly`,
        { code: 'queue_full', retryAfterSeconds: 5 },
      );
    }
    this.inFlight += cost;
    let released = false;
    return () => {
      if (!released) this.inFlight -= cost;
      released = true;
    };
  }

  private fits(cost: number): boolean {
    return this.seen + this.inFlight + cost <= this.maxBytes;
  }
}
