import type { OpenAPIV3 } from 'openapi-types';
import { errorResponse, unavailable } from '../docs.ts';

/** OpenAPI for the admin endpoints: one place for their shared parts. */
const entryIdParameter: OpenAPIV3.ParameterObject = {
  name: 'entryId',
  in: 'path',
  required: true,
  description: 'the dead-letter stream entry id, e.g. 1732350000000-0',
  schema: { type: 'string', pattern: '^\\d+-\\d+$' },
};

const unauthorized = errorResponse('`ADMIN_TOKEN` is set and the request has no, or the wrong, `Authorization: Bearer` token (`unauthorized`)');
const forbidden = errorResponse(
  'a browser `Origin` other than the API\'s own or PUBLIC_URL\'s (`foreign_origin`); or `ADMIN_TOKEN` is unset and the ' +
    'client is not on loopback, or addressed the API by a name other than localhost/127.0.0.1/[::1] (`loopback_only`)',
);

export const deadLetterSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['entry_id', 'source', 'error', 'deliveries', 'failed_at'],
  properties: {
    entry_id: { type: 'string' },
    job_id: { type: 'string', nullable: true, description: 'null when the entry had no readable id' },
    source: { type: 'string', description: 'the stream it failed on (Redis key)' },
    source_id: { type: 'string', description: 'its entry id on that stream' },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' }, name: { type: 'string' }, message: { type: 'string', description: 'the reason as the job\'s status shows it' },
        detail: { type: 'string', description: 'the raw text behind the reason (libvips\' own words), when the message was rewritten as one clear sentence' },
      },
    },
    deliveries: { type: 'integer', description: 'deliveries before it was dead-lettered' },
    failed_at: { type: 'string', format: 'date-time' },
    description: { type: 'string', nullable: true },
    image_bytes: { type: 'integer', nullable: true, description: 'the image held in Redis; null when it is held by reference' },
    image_key: { type: 'string', nullable: true, description: 'the image\'s key in the object store, when it travels by reference (the claim check)' },
    payload_dropped: {
      type: 'boolean',
      description: 'an input fault (no retry can succeed): the letter kept the id, description, operations and reason, not the image and file bytes; a retry answers 409 payload_dropped',
    },
  },
};

const statsSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  description:
    '`streams` (length and consumer groups with pending entries, for uploads, captioned and dead), `workers` ' +
    '(consumer, kind, host, pid, started_at, last_heartbeat, jobs_done, jobs_failed, and `outage`: the {code, message, since} it is retrying in place through, or null), `throughput` (`start` epoch ' +
    'second and per-second `done` and `failed` counts over 5 minutes), `latency` (p50/p95/p99 ms per stage: render, ' +
    'save, total), `totals` and `errors` (failed jobs by code)',
};

const admin = (summary: string, description: string, responses: OpenAPIV3.ResponsesObject, parameters: OpenAPIV3.ParameterObject[] = []) => ({
  tags: ['admin'],
  summary,
  description,
  security: [{ adminToken: [] }],
  parameters,
  responses: { ...responses, 401: unauthorized, 403: forbidden, 503: unavailable },
});

export const adminDocs = {
  stats: admin('Queues, workers, throughput, latencies and errors now', 'Read from Redis alone.', {
    200: { description: 'a snapshot', content: { 'application/json': { schema: statsSchema } } },
  }),
  statsEvents: admin(
    'The same snapshot pushed every second (Server-Sent Events)',
    'A `stats` event per second. The dashboard reads it with fetch, so it can send the Authorization header.',
    { 200: { description: 'text/event-stream of `stats` events', content: { 'text/event-stream': { schema: statsSchema } } } },
  ),
  deadList: admin(
    'Dead letters, newest first',
    'Paginated like the images: `?limit=` 1–500 (default 50); the next page is in `Link: <…>; rel="next"`.',
    {
      200: { description: 'a page of dead letters', content: { 'application/json': { schema: { type: 'array', items: deadLetterSchema } } } },
      400: errorResponse('bad `limit`'),
      404: errorResponse('malformed `cursor`'),
    },
    [
      { name: 'limit', in: 'query', description: 'page size, 1 to 500 (default 50)', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      { name: 'cursor', in: 'query', description: 'taken from the previous page\'s Link header', schema: { type: 'string' } },
    ],
  ),
  retry: admin(
    'Put a dead letter back on its stream',
    'Re-adds the original entry to the stream it failed on and sets the job back to `queued`, atomically with ' +
      'removing the dead letter. Its deliveries are counted anew. A job of a batch sets its batch back to running ' +
      'until the job ends again. Without `ADMIN_TOKEN` it needs ' +
      '`Content-Type: application/json` (no body), which a cross-site form cannot send.',
    {
      200: { description: 'the dead letter that was retried', content: { 'application/json': { schema: deadLetterSchema } } },
      404: errorResponse('no such dead letter (perhaps already retried or discarded)'),
      409: errorResponse('the entry did not come from a kadr stream (`not_retryable`), or its batch has expired (`batch_expired`)'),
      415: errorResponse('`ADMIN_TOKEN` is unset and the POST is not `Content-Type: application/json` (`json_required`)'),
    },
    [entryIdParameter],
  ),
  discard: admin('Discard a dead letter', 'The job keeps its `failed` status.', {
    204: { description: 'discarded' },
    404: errorResponse('no such dead letter'),
  }, [entryIdParameter]),
};
