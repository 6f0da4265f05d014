import { Elysia } from 'elysia';
import type { Config } from '../../shared/config.ts';
import { publicBaseUrl } from '../../shared/config.ts';
import type { Sql } from '../../shared/db.ts';
import { NotFoundError, NotReadyError } from '../../shared/errors.ts';
import type { JobStore } from '../../shared/jobs.ts';
import type { StreamQueue } from '../../shared/queue/stream.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import type { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { thumbnailFormatOfKey } from '../../shared/storage/object-keys.ts';
import { OUTPUT_FORMATS } from '../../shared/formats.ts';
import { decodeCursor, encodeCursor, parseLimit } from './cursor.ts';
import { errorResponse, idParameter, jobStatusSchema, listedImageSchema, unavailable } from '../docs.ts';
import { noneMatchHits } from './conditional.ts';
import { json } from '../http-errors.ts';
import type { IdempotencyStore } from '../uploads/idempotency.ts';
import { listImages } from './images-query.ts';
import { requireUuid } from '../../shared/ids.ts';
import { lookupJob } from './job-status.ts';
import { serveObject } from './object-download.ts';
import { imageLinkSeconds, redirectTo } from './presigned.ts';
import { imageDownloadDocs, thumbnailDownloadDocs } from './routes-docs.ts';
import { uploadRoute } from '../uploads/routes.ts';
import type { RedisMemoryGauge } from '../../shared/redis-memory.ts';
import type { QueuedBytes } from '../uploads/queued-bytes.ts';
import type { SsrfGuard } from '../../shared/net/ssrf-guard.ts';

export interface ImageRouteDeps {
  config: Config;
  sql: Sql;
  store: ObjectStore;
  uploads: StreamQueue;
  jobs: JobStore;
  idempotency: IdempotencyStore;
  memory?: RedisMemoryGauge;
  queued?: QueuedBytes;
  claims: ClaimCheck;
  guard: SsrfGuard;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function imageRoutes({ config, sql, store, uploads, jobs, idempotency, memory, claims, queued, guard }: ImageRouteDeps) {
  /** The image, or with `thumbnail` its thumbnail: one way to read both (ETag, ranges, HEAD, presigned). */
  const download = async (rawId: string, request: Request, thumbnail = false) => {
    const id = requireUuid('image', rawId);
    const { state, stored } = await lookupJob(jobs, sql, id);
    if (!stored) {
      if (state.status === 'failed') {
        throw new NotReadyError(`processing failed: ${state.error?.message ?? 'unknown reason'}`, 'failed', 'job_failed');
      }
      throw new NotReadyError(`the image is not ready yet (status: ${state.status})`, state.status);
    }
    if (thumbnail && !stored.thumbnail_path) throw new NotFoundError(`image "${id}" was saved before thumbnails existed and has none`);
    const key = thumbnail ? stored.thumbnail_path! : stored.path;
    // The id names one result that never changes (a redelivery writes the
    // same image again), so it is a strong tag that needs no trip to the store.
    const etag = thumbnail ? `"${id}.thumb"` : `"${id}"`;
    if (config.storageRedirect === 'presigned' && !noneMatchHits(request.headers.get('if-none-match'), etag)) {
      const seconds = await imageLinkSeconds(sql, id, config);
      return redirectTo(store.presign(key, { expiresInSeconds: seconds }));
    }
    return serveObject(store, request, {
      key,
      etag,
      contentType: thumbnail ? OUTPUT_FORMATS[thumbnailFormatOfKey(key)].contentType : stored.content_type,
      headers: { 'cache-control': IMMUTABLE },
      missing: `the ${thumbnail ? 'thumbnail' : 'file'} of image "${id}" is missing from storage`,
    });
  };
  return new Elysia({ name: 'images' })
    .use(uploadRoute({ config, uploads, jobs, idempotency, memory, claims, queued, guard }))
    .get(
      '/api/images',
      async ({ query }) => {
        const limit = parseLimit(query.limit);
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const { rows, more } = await listImages(sql, limit, after);
        const base = publicBaseUrl(config);
        const headers: Record<string, string> = {};
        const last = rows.at(-1);
        if (more && last) {
          const next = encodeCursor({ receivedAt: last.received_at, id: last.id });
          headers.link = `<${base}/api/images?limit=${limit}&cursor=${next}>; rel="next"`;
        }
        return json(
          200,
          rows.map(({ thumbnail_path, ...r }) => ({
            ...r,
            url: `${base}/api/images/${r.id}`,
            thumbnail_url: thumbnail_path ? `${base}/api/images/${r.id}/thumbnail` : null,
          })),
          headers,
        );
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
      async ({ params }) => {
        const id = requireUuid('image', params.id);
        const { state } = await lookupJob(jobs, sql, id, { statusOnly: true });
        const body: Record<string, unknown> = { id, ...state };
        if (state.status === 'done') body.image_url = `${publicBaseUrl(config)}/api/images/${id}`;
        return json(200, body);
      },
      {
        detail: {
          tags: ['images'],
          summary: 'Status of one upload',
          description: 'queued, processing (with the step running), saving, done (with `image_url`) or failed (with `error`).',
          parameters: [idParameter],
          responses: {
            200: { description: 'the job status', content: { 'application/json': { schema: jobStatusSchema } } },
            404: errorResponse('unknown or malformed id'),
            503: unavailable,
          },
        },
      },
    )
    // Elysia answers a HEAD through this GET handler (see serveObject).
    .get('/api/images/:id', ({ params, request }) => download(params.id, request), { detail: imageDownloadDocs(config) })
    .get('/api/images/:id/thumbnail', ({ params, request }) => download(params.id, request, true), { detail: thumbnailDownloadDocs(config) });
}
