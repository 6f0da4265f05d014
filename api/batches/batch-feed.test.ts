import { describe, expect, test } from 'bun:test';
import pino from 'pino';
import type { SseSink } from '../events/sse.ts';
import { feedBatch } from './batch-feed.ts';
import type { BatchSnapshot } from '../../shared/batches/snapshot.ts';

const log = pino({ level: 'silent' });
const INTERVAL = 40;

function snapshot(done: number, of = 3): BatchSnapshot {
  const jobs = Array.from({ length: of }, (_, index) => ({ index, id: `job-${index}`, status: index < done ? 'done' as const : 'queued' as const }));
  return {
    id: 'batch',
    status: done === of ? 'complete' : 'running',
    image_count: of,
    created_at: '2026-11-23T00:00:00.000Z',
    counts: { queued: of - done, processing: 0, done, failed: 0 },
    jobs,
  };
}

/** A feed over a batch whose state the test moves, with the sink's events and the hub's listener exposed. */
function harness(readError?: Error) {
  const sent: Array<{ event: string; done: number; at: number }> = [];
  let ended = false;
  let state = snapshot(0);
  let reads = 0;
  let listener: (() => void) | undefined;
  let watchedIds: string[] = [];
  let unwatched = false;
  const sink: SseSink = {
    send: (event, data) => sent.push({ event, done: (data as BatchSnapshot).counts.done, at: performance.now() }),
    end: () => {
      if (ended) return;
      ended = true;
      cleanup();
    },
  };
  const cleanup = feedBatch(sink, state, {
    watch: (ids, l) => {
      watchedIds = ids;
      listener = () => l({ id: ids[0]!, status: 'done', version: 1, updated_at: '' });
      return () => (unwatched = true);
    },
    read: async () => {
      reads++;
      if (readError) throw readError;
      return state;
    },
    body: (s) => ({ ...s }),
    log,
    intervalMs: INTERVAL,
    resyncMs: 60_000,
  });
  return {
    sent,
    get ended() { return ended; },
    get reads() { return reads; },
    get unwatched() { return unwatched; },
    watchedIds: () => watchedIds,
    move(done: number) {
      state = snapshot(done);
      listener!();
    },
  };
}

describe('feedBatch', () => {
  test('a burst of changes sends one snapshot per interval, ending with the last state, and stops after complete', async () => {
    const feed = harness();
    expect(feed.watchedIds()).toEqual(['job-0', 'job-1', 'job-2']);
    expect(feed.sent.map((s) => s.done)).toEqual([0]);
    for (let i = 0; i < 20; i++) feed.move(1);
    feed.move(2);
    await Bun.sleep(INTERVAL * 3);
    expect(feed.sent.map((s) => s.done)).toEqual([0, 2]);
    expect(feed.ended).toBe(false);
    feed.move(3);
    await Bun.sleep(INTERVAL * 3);
    expect(feed.sent.map((s) => s.done)).toEqual([0, 2, 3]);
    expect(feed.sent[2]!.at - feed.sent[1]!.at).toBeGreaterThanOrEqual(INTERVAL - 2);
    expect(feed.ended).toBe(true);
    expect(feed.unwatched).toBe(true);
  });

  test('a change that arrives while a read is under way is read again afterwards', async () => {
    const feed = harness();
    feed.move(1);
    await Bun.sleep(INTERVAL + 5); // the read of "1" is running or done
    feed.move(2);
    await Bun.sleep(INTERVAL * 3);
    expect(feed.sent.at(-1)!.done).toBe(2);
  });

  test('an unchanged snapshot is not sent again, and a failed read ends the feed', async () => {
    const quiet = harness();
    await Bun.sleep(INTERVAL * 2); // the catch-up read after subscribing finds nothing new
    expect(quiet.reads).toBe(1);
    expect(quiet.sent).toHaveLength(1);
    quiet.move(3); // completes it, so its timers stop
    await Bun.sleep(INTERVAL * 2);

    const broken = harness(new Error('postgres is away'));
    await Bun.sleep(INTERVAL * 2);
    expect(broken.ended).toBe(true);
    expect(broken.unwatched).toBe(true);
  });

  test('a batch complete from the start is sent once and ends without subscribing', () => {
    const sent: string[] = [];
    let ended = false;
    let watched = false;
    feedBatch({ send: (e) => sent.push(e), end: () => (ended = true) }, snapshot(3), {
      watch: () => {
        watched = true;
        return () => {};
      },
      read: async () => snapshot(3),
      body: (s) => ({ ...s }),
      log,
    });
    expect(sent).toEqual(['batch']);
    expect(ended).toBe(true);
    expect(watched).toBe(false);
  });
});
