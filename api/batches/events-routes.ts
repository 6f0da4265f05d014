import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import type { Logger } from '../../shared/logger.ts';
import { feedBatch } from './batch-feed.ts';
import { batchSnapshot, snapshotBody, type SnapshotDeps } from '../../shared/batches/snapshot.ts';
import { requireUuid } from '../../shared/ids.ts';
import type { JobEventHub } from '../events/job-events.ts';
import type { SseStreams } from '../events/sse.ts';
import { batchEventsDocs } from './routes-docs.ts';

export interface BatchEventRouteDeps {
  config: Config;
  snapshots: SnapshotDeps;
  events: JobEventHub;
  streams: SseStreams;
  log: Logger;
}

/**
 * `GET /api/batches/{id}/events`: the batch's snapshot at once, then again
 * as its jobs change, until it is complete. The first snapshot is read before
 * the stream opens, so an unknown or expired batch answers 404/410 as JSON.
 */
export function batchEventRoutes({ config, snapshots, events, streams, log }: BatchEventRouteDeps) {
  return new Elysia({ name: 'batch-events' }).get(
    '/api/batches/:id/events',
    async ({ params, request }) => {
      const id = requireUuid('batch', params.id);
      const first = await batchSnapshot(snapshots, id);
      const base = publicBaseUrl(config);
      return streams.response(request.signal, (sink) =>
        feedBatch(sink, first, {
          watch: (ids, listener) => events.watch(ids, listener),
          listening: () => events.listening(),
          read: () => batchSnapshot(snapshots, id),
          body: (snapshot) => snapshotBody(snapshot, base),
          log: log.child({ batchId: id }),
        }),
      );
    },
    { detail: batchEventsDocs },
  );
}
