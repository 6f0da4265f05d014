import type { KadrClient, StatusEvent } from '../client/index.ts';
import { readEvents } from '../client/event-stream.ts';
import { withRetry } from './api-call.ts';

/** What a watcher hears of a job: its status, or that the API does not know it. */
export type JobNews = { kind: 'status'; event: StatusEvent } | { kind: 'missing'; id: string };

/** Most ids one GET /api/images/events takes. */
export const IDS_PER_STREAM = 100;

const isFinal = (status: string) => status === 'done' || status === 'failed';

/**
 * Follows the jobs over the API's event streams (no polling) until each is
 * done, failed or missing, calling `onNews` for every event. 100 ids go on
 * one stream. A stream that ends while some of its jobs are still running (an
 * API restart) is opened again with those: the API sends each job's current
 * status first, so nothing is missed across the reopen.
 */
export async function watchJobs(
  client: KadrClient,
  ids: string[],
  onNews: (news: JobNews) => void | Promise<void>,
  opts: { reopenDelayMs?: number; maxReopens?: number } = {},
): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STREAM) chunks.push(ids.slice(i, i + IDS_PER_STREAM));
  await Promise.all(chunks.map((chunk) => watchChunk(client, chunk, onNews, opts)));
}

async function watchChunk(
  client: KadrClient,
  ids: string[],
  onNews: (news: JobNews) => void | Promise<void>,
  { reopenDelayMs = 1000, maxReopens = 10 }: { reopenDelayMs?: number; maxReopens?: number },
): Promise<void> {
  const open = new Set(ids);
  for (let reopens = 0; open.size > 0; reopens++) {
    if (reopens > maxReopens) throw new Error(`the event stream kept ending before ${open.size} job(s) finished`);
    if (reopens > 0) await Bun.sleep(reopenDelayMs);
    try {
      const { data: body } = await withRetry(() =>
        client.GET('/api/images/events', { params: { query: { ids: [...open].join(',') } }, parseAs: 'stream' }),
      );
      for await (const { event, data } of readEvents(body as ReadableStream<Uint8Array>)) {
        if (event === 'missing') {
          const { id } = data as { id: string };
          open.delete(id);
          await onNews({ kind: 'missing', id });
        } else if (event === 'status') {
          const status = data as StatusEvent;
          if (isFinal(status.status)) open.delete(status.id);
          await onNews({ kind: 'status', event: status });
        }
      }
    } catch (err) {
      // A connection cut mid-stream is reopened like an ended stream; an
      // answer refusing the ids (4xx) is not going to change.
      if ((err as { status?: number }).status !== undefined) throw err;
      if (reopens >= maxReopens) throw err;
    }
  }
}
