import postgres from 'postgres';
import type { RedisProbe } from './sampler.ts';
import { streamLength } from './sampler.ts';

export interface Completion {
  done: number;
  failed: number;
  /** Epoch ms of the last save: saved_at of the newest row, or when polling first saw the last job done. */
  lastDoneAt: number;
}

/** How the benchmark learns that jobs are finished, as cheaply for the system as it can. */
export interface CompletionSource {
  readonly describe: string;
  poll(): Promise<Completion>;
  close(): Promise<void>;
}

/**
 * One `count(*)` on the system's own `images` table (a fresh database, so
 * every row is one of ours) and XLEN of its dead-letter stream: two cheap
 * queries per poll, whatever N is.
 */
export function databaseCompletion(databaseUrl: string, redis: RedisProbe, deadKey: string): CompletionSource {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  return {
    describe: 'count(*) of the images table + XLEN of the dead-letter stream, every 250 ms',
    async poll() {
      const [row] = await sql<Array<{ n: number; last: Date | null }>>`
        select count(*)::int as n, max(saved_at) as last from images`;
      return { done: row?.n ?? 0, failed: await streamLength(redis, deadKey), lastDoneAt: row?.last?.getTime() ?? NaN };
    },
    close: () => sql.end({ timeout: 2 }),
  };
}

/**
 * For an API we did not start: GET /api/images/{id}/status, oldest
 * unfinished id first. Jobs finish roughly in order, so each poll asks about
 * a handful of ids, not all of them.
 */
export function statusCompletion(baseUrl: string, ids: () => string[]): CompletionSource {
  const finished = new Map<string, 'done' | 'failed'>();
  let cursor = 0;
  let lastDoneAt = NaN;
  const check = async (id: string) => {
    const res = await fetch(`${baseUrl}/api/images/${id}/status`);
    if (res.status !== 200) return;
    const body = (await res.json()) as { status: string };
    if (body.status === 'done' || body.status === 'failed') {
      finished.set(id, body.status);
      lastDoneAt = Date.now();
    }
  };
  return {
    describe: 'GET /api/images/{id}/status of the oldest unfinished ids, 4 at a time, every 250 ms',
    async poll() {
      const all = ids();
      for (;;) {
        while (cursor < all.length && finished.has(all[cursor]!)) cursor++;
        const batch = all.slice(cursor, cursor + 4).filter((id) => !finished.has(id));
        if (batch.length === 0) break;
        const before = finished.size;
        await Promise.all(batch.map(check));
        if (finished.size - before < batch.length) break; // the oldest are not all done yet
      }
      let failed = 0;
      for (const s of finished.values()) if (s === 'failed') failed++;
      return { done: finished.size - failed, failed, lastDoneAt };
    },
    close: async () => {},
  };
}

/**
 * Polls until done + failed reaches `expected`; gives up if nothing moves for
 * `stallMs`. `onPoll` sees every reading (the sampler uses the done count).
 */
export async function waitForAll(
  source: CompletionSource,
  expected: () => number,
  uploading: () => boolean,
  onPoll: (c: Completion) => void,
  stallMs = 120_000,
): Promise<Completion> {
  let last: Completion = { done: 0, failed: 0, lastDoneAt: NaN };
  let movedAt = Date.now();
  for (;;) {
    const c = await source.poll();
    onPoll(c);
    if (c.done + c.failed !== last.done + last.failed) movedAt = Date.now();
    last = c;
    if (!uploading() && c.done + c.failed >= expected()) return c;
    if (!uploading() && Date.now() - movedAt > stallMs) {
      throw new Error(`no job finished for ${stallMs / 1000} s: ${c.done} done, ${c.failed} failed of ${expected()}`);
    }
    await Bun.sleep(250);
  }
}
