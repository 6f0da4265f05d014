import { Elysia } from 'elysia';
import type { Sql } from '../../shared/db.ts';
import { BadRequestError, NotFoundError } from '../../shared/errors.ts';
import type { JobEvent, JobStore } from '../../shared/jobs.ts';
import type { OpenAPIV3 } from 'openapi-types';
import { errorResponse, idParameter, jobEventSchema, unavailable } from '../docs.ts';
import type { JobEventHub } from './job-events.ts';
import { calling } from '../../shared/unavailable.ts';
import { requireUuid } from '../../shared/ids.ts';
import { lookupJob } from '../images/job-status.ts';
import type { SseStreams } from './sse.ts';

export interface JobEventRouteDeps {
  sql: Sql;
  jobs: JobStore;
  events: JobEventHub;
  streams: SseStreams;
}

/** A page watches at most this many uploads on one stream. */
export const MAX_WATCHED_IDS = 100;

const isFinal = (status: string) => status === 'done' || status === 'failed';

const STATUS_EVENTS =
  'text/event-stream of `status` events whose data is a job status (`{ id, status, version, updated_at, error? }`; `version` goes up ' +
  'by one at every change of that job, so a client keeps the highest one it has seen); ' +
  'a comment every 15 s keeps it open';

/** The `missing` event of the several-uploads stream: an id it does not know. */
const missingEventSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
  description: 'the data of a `missing` event',
};

// Each stream documents only what it can answer: the one-upload stream reads
// its id from the path (a malformed one is 404, like the status endpoint); the
// several-uploads stream refuses bad `ids` with 400 and reports an unknown id
// as a `missing` event rather than 404.
const streamDoc = (summary: string, description: string, events: OpenAPIV3.SchemaObject, refusal: [number, OpenAPIV3.ResponseObject]) => ({
  tags: ['images'],
  summary,
  description,
  responses: {
    200: { description: STATUS_EVENTS, content: { 'text/event-stream': { schema: events } } },
    [refusal[0]]: refusal[1],
    503: unavailable,
  },
});
/**
 * Live job status over Server-Sent Events. It subscribes before reading the
 * current status, so a change that lands in between is never lost, and sends
 * each change once, in order; the stream ends when every watched job is done
 * or failed.
 */
export function jobEventRoutes({ sql, jobs, events, streams }: JobEventRouteDeps) {
  async function watch(ids: string[], signal: AbortSignal, missing: 'throw' | 'report'): Promise<Response> {
    const early: JobEvent[] = [];
    let forward: ((event: JobEvent) => void) | undefined;
    const stop = events.watch(ids, (event) => (forward ? forward(event) : early.push(event)));
    let current: Array<JobEvent | null>;
    try {
      await calling('redis', events.listening());
      current = await Promise.all(
        ids.map((id) =>
          lookupJob(jobs, sql, id, { statusOnly: true }).then(
            ({ state }) => ({
              id, status: state.status, version: state.version, updated_at: state.updated_at, ...(state.error && { error: state.error }),
            }),
            (err) => {
              if (missing === 'report' && err instanceof NotFoundError) return null;
              throw err;
            },
          ),
        ),
      );
    } catch (err) {
      stop();
      throw err;
    }
    return streams.response(signal, (sink) => {
      const open = new Set(ids);
      const seen = new Map<string, number>();
      const emit = (event: JobEvent) => {
        if (!open.has(event.id)) return;
        // Events buffered during the lookup may be older than what it read, or the same change:
        // only a higher version is news (updated_at comes from several hosts' clocks and orders nothing).
        const last = seen.get(event.id);
        if (last !== undefined && !(event.version > last)) return;
        seen.set(event.id, event.version);
        sink.send('status', event);
        if (isFinal(event.status)) open.delete(event.id);
        if (open.size === 0) sink.end();
      };
      current.forEach((event, i) => {
        if (event) return emit(event);
        open.delete(ids[i]!);
        sink.send('missing', { id: ids[i] });
      });
      if (open.size === 0) sink.end();
      for (const event of early) emit(event);
      forward = emit;
      return stop;
    });
  }

  return new Elysia({ name: 'job-events' })
    .get(
      '/api/images/events',
      ({ query, request }) => {
        const raw = typeof query.ids === 'string' ? query.ids.split(',').filter(Boolean) : [];
        if (raw.length === 0 || raw.length > MAX_WATCHED_IDS) {
          throw new BadRequestError(`ids: expected 1 to ${MAX_WATCHED_IDS} comma-separated job ids, got ${raw.length}`, 'invalid_query');
        }
        let ids: string[];
        try {
          ids = [...new Set(raw.map((id) => requireUuid('image', id)))];
        } catch (err) {
          throw new BadRequestError(`ids: ${(err as Error).message}`, 'invalid_query');
        }
        return watch(ids, request.signal, 'report');
      },
      {
        detail: {
          ...streamDoc(
            'Live status of several uploads (one stream for a page)',
            'Sends each job\'s current status, then every change, until all are done or failed. An unknown id gets a ' +
              '`missing` event (`{ id }`) and is not watched. This is what the web page uses: it reopens the stream ' +
              'with the ids still in progress whenever a new upload starts.',
            { anyOf: [jobEventSchema, missingEventSchema], description: 'a `status` event\'s data, or a `missing` event\'s' },
            [400, errorResponse('`ids` is missing, has more than 100 ids, or one is malformed (`invalid_query`)')],
          ),
          parameters: [
            { name: 'ids', in: 'query', required: true, description: '1 to 100 job ids, comma-separated', schema: { type: 'string' } },
          ],
        },
      },
    )
    .get('/api/images/:id/events', ({ params, request }) => watch([requireUuid('image', params.id)], request.signal, 'throw'), {
      detail: {
        ...streamDoc(
          'Live status of one upload',
          'Sends the current status at once, then every change (queued → processing → saving → done or failed); ' +
            'the stream ends after done or failed.',
          jobEventSchema,
          [404, errorResponse('unknown or malformed id')],
        ),
        parameters: [idParameter],
      },
    });
}
