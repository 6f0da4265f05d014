import type { Logger } from '../logger.ts';
import type { Redis } from '../redis.ts';
import { DependencyError, isPermanent, serializeError, type SerializedError } from '../errors.ts';
import type { Fields } from '../messages.ts';
import { Claim } from './claim.ts';
import type { Entry } from './reply.ts';
import type { StreamQueue, Command } from './stream.ts';
import { isUnavailable } from '../unavailable.ts';

export interface ConsumerOptions<M> {
  queue: StreamQueue;
  /** A dedicated connection for blocking reads, so they never delay other commands. */
  reader: Redis;
  consumer: string;
  log: Logger;
  decode(fields: Fields): M;
  /**
   * Does the work and finishes the entry through `handOver(claim, …)`
   * (shared/queue/hand-over.ts): the ack and its effects at once, and only
   * while `claim` says the entry is still ours.
   */
  handle(message: M, entry: Entry, claim: Claim): Promise<void>;
  /** Commands to run with the dead-lettering, e.g. marking the job failed, counting it towards its batch, queueing its webhook. */
  onDeadLetter(jobId: string | undefined, error: SerializedError, batchId: string | undefined, entry: Entry): Command[];
  deadKey: string;
  maxDeliveries: number;
  reclaimIdleMs: number;
  count?: number;
  blockMs?: number;
}

const backoff = (attempt: number, capMs = 5000) => Math.min(100 * 2 ** attempt, capMs);
// A failing read means Redis is unreachable and the client is reconnecting by
// itself (at least once a second); polling more slowly than that only delays
// the restart of work once it is back.
const READ_RETRY_CAP_MS = 1000;

/**
 * Reads a stream through its consumer group and hands each entry to
 * `handle`, at least once. Permanent errors and entries delivered more than
 * `maxDeliveries` times go to the dead-letter stream; a DependencyError or
 * an unreachable Redis pauses and retries the same entry; any other error
 * leaves the entry pending, to be reclaimed after `reclaimIdleMs`.
 */
export class StreamConsumer<M> {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private lastReclaim = 0;
  private readonly stopped: Promise<void>;
  private signalStop!: () => void;

  constructor(private readonly o: ConsumerOptions<M>) {
    this.stopped = new Promise((resolve) => (this.signalStop = resolve));
  }

  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Stops reading and waits for the entry in hand; safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    await this.loop;
  }

  /**
   * Waits `ms`, or less if stop() is called: a backoff during an outage can
   * reach seconds, and shutdown must not sit it out past its deadline.
   */
  private pause(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([new Promise<void>((r) => (timer = setTimeout(r, ms))), this.stopped]).finally(() => clearTimeout(timer));
  }

  private async run(): Promise<void> {
    const { queue, consumer, log } = this.o;
    let failures = 0;
    await queue.ensureGroup();
    let entries = await queue.claimOwnPending(consumer, 1000);
    if (entries.length) log.info({ count: entries.length }, 'resuming own pending entries');
    while (!this.stopping) {
      try {
        if (entries.length === 0) entries = await this.next();
        for (const entry of entries) {
          if (this.stopping) break; // the rest stay pending for a restart or another consumer
          await this.process(entry);
        }
        entries = [];
        failures = 0;
      } catch (err) {
        entries = [];
        log.error({ err }, 'consumer loop error; retrying');
        await this.pause(backoff(failures++, READ_RETRY_CAP_MS));
      }
    }
  }

  private async next(): Promise<Entry[]> {
    const { queue, consumer, reclaimIdleMs, count = 1, blockMs = 1000 } = this.o;
    const now = Date.now();
    if (now - this.lastReclaim >= Math.min(reclaimIdleMs / 2, 5000)) {
      this.lastReclaim = now;
      const stale = await queue.reclaim(consumer, reclaimIdleMs, count);
      if (stale.length) {
        this.o.log.warn({ ids: stale.map((e) => e.id) }, 'reclaimed stale entries');
        return stale;
      }
    }
    return queue.readNew(this.o.reader, consumer, count, blockMs);
  }

  private async process(entry: Entry): Promise<void> {
    const { log } = this.o;
    const jobId = entry.fields?.id?.toString('utf8');
    const elog = log.child({ entryId: entry.id, jobId, deliveries: entry.deliveries });
    if (entry.fields === null) {
      // Deleted while pending (finished by someone else): nothing left to do.
      await this.o.queue.redis.multi().addCommand(this.o.queue.ackCommands(entry.id)[0] as never).exec();
      return;
    }
    if (entry.deliveries > this.o.maxDeliveries) {
      const error = {
        name: 'TooManyDeliveries',
        code: 'too_many_deliveries',
        message: `gave up after ${entry.deliveries - 1} deliveries that crashed or failed`,
      };
      return this.deadLetter(entry, jobId, error, elog);
    }
    let message: M;
    try {
      message = this.o.decode(entry.fields);
    } catch (err) {
      return this.deadLetter(entry, jobId, serializeError(err), elog);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handleClaimed(message, entry, elog);
        return;
      } catch (err) {
        if (isPermanent(err)) return this.deadLetter(entry, jobId, serializeError(err), elog);
        // Redis going away mid-handling is an outage too: retrying in place
        // resumes as soon as it is back, and counts no failed delivery.
        if ((err instanceof DependencyError || isUnavailable('redis', err)) && !this.stopping) {
          elog.warn({ err, attempt }, 'dependency unavailable; retrying the same entry');
          // Pauses stay well under the reclaim idle time, and each one ends by
          // keeping the entry ours: an outage can outlast that idle time, and
          // other consumers must not take the entry and count deliveries that
          // never failed. If another consumer already has it, it is theirs.
          await this.pause(backoff(attempt, Math.min(5000, this.o.reclaimIdleMs / 3)));
          const ours = await this.o.queue.keepClaimed(this.o.consumer, entry.id).catch(() => true);
          if (!ours) {
            elog.info('entry reclaimed by another consumer during the outage; leaving it to them');
            return;
          }
          if (!this.stopping) continue;
          elog.info('stopping during an outage; the entry stays pending');
          return;
        }
        elog.error({ err }, 'handling failed; entry stays pending and will be retried');
        return;
      }
    }
  }

  /** Runs the handler while renewing the entry's claim, a third of the reclaim time apart. */
  private async handleClaimed(message: M, entry: Entry, log: Logger): Promise<void> {
    const claim = new Claim(this.o.queue, this.o.consumer, entry.id, this.o.reclaimIdleMs / 3, log);
    try {
      await this.o.handle(message, entry, claim);
    } finally {
      claim.release();
    }
  }

  private async deadLetter(entry: Entry, jobId: string | undefined, error: SerializedError, log: Logger) {
    log.warn({ error }, 'moving entry to the dead-letter stream');
    const batchId = entry.fields?.batch_id?.toString('utf8');
    await this.o.queue.deadLetter(this.o.deadKey, entry, error, this.o.onDeadLetter(jobId, error, batchId, entry));
  }
}
