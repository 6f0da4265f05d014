import type { Logger } from '../logger.ts';
import type { Redis } from '../redis.ts';
import { DependencyError, isPermanent, serializeError, type SerializedError } from '../errors.ts';
import type { Fields } from '../messages.ts';
import { Claim } from './claim.ts';
import type { Entry } from './reply.ts';
import type { StreamQueue, Command } from './stream.ts';
import { isUnavailable } from '../unavailable.ts';
import { fieldsCost } from './stream-bytes.ts';

/** An outage: retried in place without counting a delivery (see `process`). */
const isOutage = (err: unknown) => err instanceof DependencyError || isUnavailable('redis', err);

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
  /**
   * Removes what handling may have left outside Redis (the saver's file and
   * row) before the entry is dead-lettered, so nothing outlives the dead letter.
   */
  discard?(fields: Fields): Promise<void>;
  /** Told when handling starts waiting out an outage (its error), and when it ends (null). */
  onOutage?(error: SerializedError | null): Promise<void>;
  deadKey: string;
  maxDeliveries: number;
  reclaimIdleMs: number;
  count?: number;
  blockMs?: number;
  /**
   * A monotonic clock in ms for deciding when to reclaim (performance.now by
   * default). Never the wall clock: stepped back by NTP or an operator, it
   * would hold reclaims off for as long as it went back.
   */
  monotonicNow?: () => number;
  /**
   * Other consumers of the group idle this long with nothing pending are
   * deleted (see StreamQueue.forgetIdleConsumers); checked every tenth of it,
   * at most once a minute. Undefined deletes none.
   */
  forgetIdleMs?: number;
  /**
   * Backpressure: while it answers true the consumer reads nothing new and
   * reclaims nothing (the processor, while stream 2 is over its byte limit).
   * No entry is taken, so no delivery is counted and nothing fails; the
   * entry in hand, if any, is finished first.
   */
  hold?(): Promise<boolean>;
}

/** How often a held consumer looks again whether it may read. */
const HOLD_POLL_MS = 200;

const backoff = (attempt: number, capMs = 5000) => Math.min(100 * 2 ** attempt, capMs);
// A failing read means Redis is unreachable and the client is reconnecting by
// itself (at least once a second); polling more slowly than that only delays
// the restart of work once it is back.
const READ_RETRY_CAP_MS = 1000;

/**
 * Reads a stream through its consumer group and hands each entry to
 * `handle`, at least once. Permanent errors (input faults) go to the
 * dead-letter stream at once; a DependencyError or an unreachable Redis
 * pauses and retries the same entry without counting a delivery; any other
 * error is retried with backoff, each retry a counted delivery, and after
 * `maxDeliveries` dead-lettered with that error as its reason. Entries a
 * crashed consumer held are reclaimed after `reclaimIdleMs`.
 */
export class StreamConsumer<M> {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private lastReclaim = -Infinity;
  private lastForget = -Infinity;
  private holding = false;
  /** Where the reclaim pass in progress goes on from; undefined between passes. */
  private reclaimCursor: string | undefined;
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
    let entries: Entry[] = [];
    let started = false;
    while (!this.stopping) {
      try {
        // Inside the loop, so a Redis that cannot take the group yet (away,
        // or out of memory) is waited out like any other outage.
        if (!started) {
          await queue.ensureGroup();
          entries = await queue.claimOwnPending(consumer, 1000);
          if (entries.length) log.info({ count: entries.length }, 'resuming own pending entries');
          started = true;
        }
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
    if (await this.held()) return [];
    const now = this.o.monotonicNow?.() ?? performance.now();
    await this.forgetIdleConsumers(now);
    if (this.reclaimCursor === undefined && now - this.lastReclaim >= Math.min(reclaimIdleMs / 2, 5000)) {
      this.lastReclaim = now;
      this.reclaimCursor = '0-0';
    }
    // A pass follows XAUTOCLAIM's cursor to the end, `count` entries at a
    // time, before reading anything new: a dead consumer's backlog drains at
    // the speed of the work, not `count` entries per pass interval.
    while (this.reclaimCursor !== undefined) {
      const { entries, cursor } = await queue.reclaim(consumer, reclaimIdleMs, count, this.reclaimCursor);
      this.reclaimCursor = cursor === '0-0' ? undefined : cursor;
      if (entries.length) {
        this.o.log.warn({ ids: entries.map((e) => e.id) }, 'reclaimed stale entries');
        return entries;
      }
    }
    return queue.readNew(this.o.reader, consumer, count, blockMs);
  }

  /** True (after a short pause) while `hold` says not to take work; logs when holding starts and ends. */
  private async held(): Promise<boolean> {
    const hold = (await this.o.hold?.()) ?? false;
    if (hold !== this.holding) {
      this.holding = hold;
      this.o.log.info(hold ? 'holding: the next stream is full; reading nothing until it drains' : 'resuming: the next stream has room again');
    }
    if (hold) await this.pause(HOLD_POLL_MS);
    return hold;
  }

  private async forgetIdleConsumers(now: number): Promise<void> {
    const { forgetIdleMs } = this.o;
    if (forgetIdleMs === undefined || now - this.lastForget < Math.min(forgetIdleMs / 10, 60_000)) return;
    this.lastForget = now;
    try {
      const gone = await this.o.queue.forgetIdleConsumers(this.o.consumer, forgetIdleMs);
      if (gone.length) this.o.log.info({ consumers: gone, idleMs: forgetIdleMs }, 'deleted idle consumers that held nothing');
    } catch (err) {
      // Housekeeping only: the work goes on, and the next check tries again.
      this.o.log.warn({ err }, 'deleting idle consumers failed');
    }
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
      return this.deadLetter(entry, jobId, error, elog, false);
    }
    let message: M;
    try {
      message = this.o.decode(entry.fields);
    } catch (err) {
      return this.deadLetter(entry, jobId, serializeError(err), elog, true);
    }
    let deliveries = entry.deliveries;
    let outageAttempt = 0;
    let failedAttempt = 0;
    for (;;) {
      try {
        await this.handleClaimed(message, entry, elog);
        if (outageAttempt > 0) await this.reportOutage(null, elog);
        return;
      } catch (err) {
        if (isPermanent(err)) return this.deadLetter({ ...entry, deliveries }, jobId, serializeError(err), elog, true);
        // Redis going away mid-handling is an outage too: retrying in place
        // resumes as soon as it is back, and counts no failed delivery.
        if (isOutage(err) && !this.stopping) {
          elog.warn({ err, attempt: outageAttempt }, 'dependency unavailable; retrying the same entry');
          if (outageAttempt === 0) await this.reportOutage(serializeError(err), elog);
          // Pauses stay well under the reclaim idle time, and each one ends by
          // keeping the entry ours: an outage can outlast that idle time, and
          // other consumers must not take the entry and count deliveries that
          // never failed. If another consumer already has it, it is theirs.
          await this.pause(backoff(outageAttempt++, Math.min(5000, this.o.reclaimIdleMs / 3)));
          const ours = await this.o.queue.keepClaimed(this.o.consumer, entry.id).catch(() => true);
          if (!ours) {
            elog.info('entry reclaimed by another consumer during the outage; leaving it to them');
            return;
          }
          if (!this.stopping) continue;
          elog.info('stopping during an outage; the entry stays pending');
          return;
        }
        if (outageAttempt > 0) await this.reportOutage(null, elog);
        outageAttempt = 0;
        // Anything else is transient (out of memory, out of file handles, a
        // bug): retried here with backoff, each retry a counted delivery, so
        // the delivery limit ends it with this error as its reason. Waiting
        // for the reclaim instead would idle the entry for RECLAIM_IDLE_MS.
        const error = serializeError(err);
        if (deliveries >= this.o.maxDeliveries) {
          const gaveUp = { ...error, message: `${error.message} (gave up after ${deliveries} deliveries)` };
          return this.deadLetter({ ...entry, deliveries }, jobId, gaveUp, elog, false);
        }
        elog.warn({ err, deliveries }, 'handling failed; retrying the entry after a backoff');
        await this.pause(backoff(failedAttempt++, Math.min(5000, this.o.reclaimIdleMs / 3)));
        if (this.stopping) {
          elog.info('stopping before a retry; the entry stays pending');
          return;
        }
        deliveries = await this.o.queue.claimAgain(this.o.consumer, entry.id);
        if (deliveries === 0) {
          elog.info('entry reclaimed by another consumer before its retry; leaving it to them');
          return;
        }
      }
    }
  }

  /** Runs the handler while renewing the entry's claim, a third of the reclaim time apart. */
  private async handleClaimed(message: M, entry: Entry, log: Logger): Promise<void> {
    const cost = entry.fields ? fieldsCost(entry.fields) : 0;
    const claim = new Claim(this.o.queue, this.o.consumer, entry.id, this.o.reclaimIdleMs / 3, log, cost);
    try {
      await this.o.handle(message, entry, claim);
    } finally {
      claim.release();
    }
  }

  /**
   * Tells the operator (the worker's heartbeat hash, read by /readyz and the
   * dashboard) that this worker is waiting out an outage, or that it ended.
   * Best effort: the outage may be Redis itself.
   */
  private async reportOutage(error: SerializedError | null, log: Logger): Promise<void> {
    if (!this.o.onOutage) return;
    try {
      await this.o.onOutage(error);
    } catch (err) {
      log.debug({ err }, 'could not report the outage');
    }
  }

  /**
   * `inputFault`: the entry itself is at fault (permanent), so no retry can
   * succeed and the letter drops the payload; otherwise it keeps what a
   * retry needs. Refused, like a hand-over, once the entry is another's.
   */
  private async deadLetter(entry: Entry, jobId: string | undefined, error: SerializedError, log: Logger, inputFault: boolean) {
    log.warn({ error, payloadDropped: inputFault }, 'moving entry to the dead-letter stream');
    const batchId = entry.fields?.batch_id?.toString('utf8');
    // What a discard removes may be the new owner's work by now (the saver's file and row).
    if (entry.fields && this.o.discard) {
      if (!(await this.o.queue.keepClaimed(this.o.consumer, entry.id))) {
        log.warn('dead-lettering refused: the entry was reclaimed by another consumer');
        return;
      }
      await this.o.discard(entry.fields);
    }
    const extra = this.o.onDeadLetter(jobId, error, batchId, entry);
    if (!(await this.o.queue.deadLetter(this.o.deadKey, this.o.consumer, entry, error, extra, inputFault))) {
      log.warn('dead-lettering refused: the entry was reclaimed by another consumer');
    }
  }
}
