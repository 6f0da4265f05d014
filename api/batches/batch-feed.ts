import type { JobEvent } from '../../shared/jobs.ts';
import type { Logger } from '../../shared/logger.ts';
import type { SseSink } from '../events/sse.ts';
import type { BatchSnapshot } from '../../shared/batches/snapshot.ts';

/** At most one snapshot this often: a batch of 50 makes ~200 status changes, the page needs a few redraws a second. */
export const BATCH_FEED_INTERVAL_MS = 250;

/**
 * Pub/sub does not replay what was published while the subscriber was
 * reconnecting; reading again this often keeps a feed from stalling on a lost event.
 */
export const BATCH_FEED_RESYNC_MS = 5_000;

export interface BatchFeedDeps {
  /** Subscribes to the status changes of these jobs (JobEventHub.watch); returns the unsubscribe. */
  watch(ids: string[], listener: (event: JobEvent) => void): () => void;
  /** Resolves once changes are heard (JobEventHub.listening); without it, at once. */
  listening?(): Promise<void>;
  /** The batch's snapshot now; may throw (gone, unavailable), which ends the feed. */
  read(): Promise<BatchSnapshot>;
  /** What is sent for a snapshot (the snapshot plus its archive_url once complete). */
  body(snapshot: BatchSnapshot): Record<string, unknown>;
  log: Logger;
  intervalMs?: number;
  resyncMs?: number;
}

/**
 * Sends `first` as a `batch` event, then a fresh snapshot after changes of
 * the batch's jobs: bursts are coalesced to one read per interval, and a
 * change during a read makes another read, so the last state is always sent.
 * A snapshot equal to the one sent before is not sent again. Ends after the
 * complete snapshot, or when a read fails (an EventSource then reconnects and
 * gets the current snapshot, or the 404/410). Returns the cleanup for
 * SseStreams.response.
 */
export function feedBatch(sink: SseSink, first: BatchSnapshot, deps: BatchFeedDeps): () => void {
  const interval = deps.intervalMs ?? BATCH_FEED_INTERVAL_MS;
  let last = JSON.stringify(deps.body(first));
  sink.send('batch', deps.body(first));
  if (first.status === 'complete') {
    sink.end();
    return () => {};
  }
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reading = false;
  let pending = false;
  // The first snapshot was just read: the next read waits its turn like any other.
  let lastRead = performance.now();

  const schedule = () => {
    pending = true;
    if (timer || reading || stopped) return;
    timer = setTimeout(read, Math.max(0, lastRead + interval - performance.now()));
  };

  async function read() {
    timer = undefined;
    pending = false;
    reading = true;
    lastRead = performance.now();
    let snapshot: BatchSnapshot;
    try {
      snapshot = await deps.read();
    } catch (err) {
      deps.log.warn({ err, batchId: first.id }, 'batch feed ended: its snapshot could not be read');
      sink.end();
      return;
    } finally {
      reading = false;
    }
    if (stopped) return;
    const body = deps.body(snapshot);
    const text = JSON.stringify(body);
    if (text !== last) {
      last = text;
      sink.send('batch', body);
    }
    if (snapshot.status === 'complete') return sink.end();
    if (pending) schedule();
  }

  const unwatch = deps.watch(
    first.jobs.map((j) => j.id),
    () => schedule(),
  );
  // A change between the first snapshot and the subscription reached nobody:
  // read once more as soon as we listen (if that fails, the resync below still reads).
  void (deps.listening?.() ?? Promise.resolve()).then(schedule, () => {});
  const resync = setInterval(schedule, deps.resyncMs ?? BATCH_FEED_RESYNC_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(resync);
    unwatch();
  };
}
