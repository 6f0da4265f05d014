import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import type { Sql } from '../../shared/db.ts';
import { NotFoundError, NotReadyError } from '../../shared/errors.ts';
import { OUTPUT_FORMATS } from '../../shared/formats.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { StreamQueue } from '../../shared/queue/stream.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { decodeCursor, encodeCursor, parseLimit } from '../cursor.ts';
import { errorResponse, idParameter, jobStatusSchema, listedImageSchema, unavailable } from '../docs.ts';
import { json, SECURITY_HEADERS } from '../http-errors.ts';
import type { IdempotencyStore } from '../idempotency.ts';
import { listImages } from '../images-query.ts';
import { lookupJob, requireJobId } from '../job-status.ts';
import { uploadRoute } from './upload.ts';

export interface ImageRouteDeps {
  config: Config;
  sql: Sql;
  store: ObjectStore;
  uploads: StreamQueue;
  jobs: JobStore;
  idempotency: IdempotencyStore;
  claims: ClaimCheck;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function imageRoutes({ config, sql, store, uploads, jobs, idempotency, claims }: ImageRouteDeps) {
  return new Elysia({ name: 'images' })
    .use(uploadRoute({ config, uploads, jobs, idempotency, claims }))
    .get(
      '/api/images',
      async ({ request, query }) => {
        const limit = parseLimit(query.limit);
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const { rows, more } = await listImages(sql, limit, after);
        const base = publicBaseUrl(config, request.url);
        const headers: Record<string, string> = {};
        const last = rows.at(-1);
        if (more && last) {
          const next = encodeCursor({ receivedAt: last.received_at, id: last.id });
          headers.link = `<${base}/api/images?limit=${limit}&cursor=${next}>; rel="next"`;
        }
        return json(200, rows.map((r) => ({ ...r, url: `${base}/api/images/${r.id}` })), headers);
      },
      {
        detail: {
          tags: ['images'],
          summary: 'List processed images, newest first',
          description: 'Paginated by a cursor; the next page is in the `Link: <…>; rel="next"` header.',
          parameters: [
            { name: 'limit', in: 'query', description: 'page size, 1 to 500 (default 50)', schema: { type: 'integer', minimum: 1, maximum: 500 } },
            { name: 'cursor', in: 'query', description: 'opaque; taken from the previous page\'s Link header', schema: { type: 'string' } },
          ],
          responses: {
            200: { description: 'a page of images', content: { 'application/json': { schema: { type: 'array', items: listedImageSchema } } } },
            400: errorResponse('bad `limit` or `cursor`'),
            503: unavailable,
          },
        },
      },
    )
    .get(
      '/api/images/:id/status',
      async ({ params, request }) => {
        const id = requireJobId(params.id);
        const { state } = await lookupJob(jobs, sql, id, { statusOnly: true });
        const body: Record<string, unknown> = { id, ...state };
        if (state.status === 'done') body.image_url = `${publicBaseUrl(config, request.url)}/api/images/${id}`;
        return json(200, body);
      },
      {
        detail: {
          tags: ['images'],
          summary: 'Status of one upload',
          parameters: [idParameter],
          responses: {
            200: { description: 'the job status', content: { 'application/json': { schema: jobStatusSchema } } },
            404: errorResponse('unknown or malformed id'),
            503: unavailable,
          },
        },
      },
    )
    .get(
      '/api/images/:id',
      async ({ params, request }) => {
        const id = requireJobId(params.id);
        const { state, stored } = await lookupJob(jobs, sql, id);
        if (!stored) {
          if (state.status === 'failed') {
            throw new NotReadyError(`processing failed: ${state.error?.message ?? 'unknown reason'}`, 'failed', 'job_failed');
          }
          throw new NotReadyError(`the image is not ready yet (status: ${state.status})`, state.status);
        }
        const etag = `"${id}"`;
        const headers = { etag, 'cache-control': IMMUTABLE, ...SECURITY_HEADERS };
        if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
        const body = await store.get(stored.path);
        if (!body) throw new NotFoundError(`the file of image "${id}" is missing from storage`);
        return new Response(body.stream, {
          headers: { ...headers, 'content-type': stored.content_type, 'content-length': String(body.length) },
        });
      },
      {
        detail: {
          tags: ['images'],
          summary: 'The processed image, in the format its pipeline asked for (JPEG by default)',
          parameters: [idParameter],
          responses: {
            200: {
              description: 'the processed image; `Content-Type` follows the pipeline\'s `format` step (image/jpeg without one)',
              content: Object.fromEntries(
                Object.values(OUTPUT_FORMATS).map((f) => [f.contentType, { schema: { type: 'string', format: 'binary' } }]),
              ),
            },
            304: { description: 'not modified (If-None-Match matched the ETag)' },
            404: errorResponse('unknown or malformed id'),
            409: errorResponse('known but not finished (`not_ready`, with Retry-After) or failed (`job_failed`, with the reason)'),
            503: unavailable,
          },
        },
      },
    );
}
