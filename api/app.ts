import { Elysia } from 'elysia';
import { swagger } from '@elysiajs/swagger';
import { webhookSchemas, webhookTag } from './uploads/webhook-docs.ts';
import type { Config } from '../shared/config.ts';
import type { Sql } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import type { ObjectStore } from '../shared/storage/store.ts';
import { BatchProgress } from '../shared/batches/progress.ts';
import { JobStore } from '../shared/jobs.ts';
import { GROUPS, keys } from '../shared/queue/keys.ts';
import { StreamQueue } from '../shared/queue/stream.ts';
import { ClaimCheck } from '../shared/storage/claim-check.ts';
import { ObjectRegistry } from '../shared/storage/registry.ts';
import { ownedByRow } from '../shared/storage/owned.ts';
import { calling } from '../shared/unavailable.ts';
import { DeadLetters } from './admin/dead-letters.ts';
import { errorResponse, SECURITY_HEADERS } from './http-errors.ts';
import { IdempotencyStore } from './uploads/idempotency.ts';
import type { JobEventHub } from './events/job-events.ts';
import { PeerAddresses } from './admin/peer-address.ts';
import { createMetrics } from './metrics/metrics.ts';
import { adminRoutes } from './admin/routes.ts';
import { batchEventRoutes } from './batches/events-routes.ts';
import { batchRoutes } from './batches/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { imageRoutes } from './images/routes.ts';
import { jobEventRoutes } from './events/routes.ts';
import { metricsRoute } from './metrics/routes.ts';
import { operationsRoute } from './operations/routes.ts';
import { pageRoutes } from './pages/routes.ts';
import type { SseStreams } from './events/sse.ts';
import { StatsFeed } from './admin/stats-feed.ts';
import { swaggerPageRoutes } from './swagger/swagger-page.ts';
import { readStats } from './admin/stats-snapshot.ts';
import { RedisMemoryGauge } from '../shared/redis-memory.ts';
import { QueuedBytes } from './uploads/queued-bytes.ts';
import { createSsrfGuard, type SsrfGuard } from '../shared/net/ssrf-guard.ts';

const API_INFO = {
  title: 'kadr',
  version: '0.1.0',
  description:
    'Asynchronous image processing: upload a photo with a description and get it back with the ' +
    'description in a black band underneath, or processed by a pipeline of operations (crop, resize, ' +
    'grayscale, rotate, watermark, format...) given in the `operations` field or through a shortcut endpoint. ' +
    'Every error answers `{ "error": { "code", "message" } }`.',
};

export interface AppDeps {
  config: Config;
  redis: Redis;
  sql: Sql;
  /** Where the processed images are (shared/storage). */
  store: ObjectStore;
  log: Logger;
  /** Job status events from the one subscribed connection (see main.ts). */
  events: JobEventHub;
  /** The open event streams, which shutdown ends. */
  streams: SseStreams;
  /** Each request's TCP peer, recorded by the server (main.ts); none known means not loopback. */
  peers?: PeerAddresses;
  /** Checks images given by URL before they are queued; by default FETCH_ALLOW_* with the system resolver. */
  guard?: SsrfGuard;
}

/**
 * Builds the HTTP API without listening, so tests can call
 * `app.handle(new Request(...))` and main.ts decides where it serves.
 */
export function createApp({ config, redis, sql, store, log, events, streams, peers = new PeerAddresses(), guard }: AppDeps) {
  const sources = guard ?? createSsrfGuard({ allowNetworks: config.fetchAllowNetworks, allowPorts: config.fetchAllowPorts });
  const k = keys(config.keyPrefix, config.redisDatabase);
  const uploads = new StreamQueue(redis, k.uploads, GROUPS.processors);
  const jobs = new JobStore(redis, k, config.jobTtlSeconds);
  const idempotency = new IdempotencyStore(redis, k.idempotency, { ttlSeconds: config.idempotencyTtlSeconds });
  const metrics = createMetrics(redis, k);
  const stats = () => readStats(redis, k);
  const started = new WeakMap<Request, number>();
  const errorStatus = new WeakMap<Request, number>();
  const progress = new BatchProgress(redis, k.batchFinished, config.jobTtlSeconds);
  const snapshotDeps = { sql, jobs, progress, ttlSeconds: config.batchTtlSeconds };
  const memory = new RedisMemoryGauge(redis, config.redisAdmitMemoryPercent);
  const queued = new QueuedBytes(redis, k, config.redisMaxQueuedBytes);
  const claims = new ClaimCheck(store, new ObjectRegistry(redis, k.objects), config.inlineMaxBytes);
  return new Elysia()
    .use(
      swagger({
        path: '/swagger',
        provider: 'swagger-ui',
        exclude: ['/swagger', '/swagger/json'],
        documentation: {
          info: API_INFO,
          // Relative: the API is wherever the document was fetched from.
          servers: [{ url: '/', description: 'this API' }],
          // Open by default; the admin operations name the token they need.
          security: [],
          tags: [
            { name: 'images', description: 'upload, status, list and download' },
            { name: 'operations', description: 'one operation per endpoint: the photo and the operation\'s parameters as form fields' },
            { name: 'health', description: 'liveness, readiness and Prometheus metrics' },
            {
              name: 'admin',
              description:
                'the dashboard\'s data and actions; with `ADMIN_TOKEN` set, each needs `Authorization: Bearer <token>`; ' +
                'without it they answer loopback clients only, and a POST needs `Content-Type: application/json`. ' +
                'A browser `Origin` other than the API\'s own is refused (403 `foreign_origin`)',
            },
            { name: 'batches', description: 'many photos at once, one job each, downloaded as one ZIP that expires' },
            webhookTag,
          ],
          components: {
            securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'the ADMIN_TOKEN setting' } },
            schemas: webhookSchemas(),
          },
        },
      }),
    )
    // After the plugin, so its CDN-loading page at /swagger is replaced by one served offline.
    .use(swaggerPageRoutes(API_INFO))
    .onRequest(({ set, request }) => {
      started.set(request, performance.now());
      Object.assign(set.headers, SECURITY_HEADERS);
    })
    .onError(({ error, code, request }) => {
      const response = errorResponse(error, code, log);
      // afterResponse does not see error answers (an unmatched route has no responseValue at all).
      errorStatus.set(request, response.status);
      return response;
    })
    .onAfterResponse(({ request, route, responseValue, set }) => {
      const status = errorStatus.get(request) ?? (responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200));
      // `route` is the matched pattern; unmatched paths share one label, so
      // scanners cannot blow up the metric's cardinality.
      const seconds = (performance.now() - (started.get(request) ?? performance.now())) / 1000;
      metrics.observeRequest(route || 'unmatched', request.method, status, seconds);
    })
    .use(pageRoutes())
    .use(operationsRoute())
    .use(healthRoutes({ redis, sql, store, k }))
    .use(metricsRoute(metrics.registry))
    .use(imageRoutes({ config, sql, store, uploads, jobs, idempotency, memory, claims, queued, guard: sources }))
    .use(jobEventRoutes({ sql, jobs, events, streams }))
    .use(
      adminRoutes({
        config,
        peers,
        deadLetters: new DeadLetters(redis, k, jobs, sql, { claims, owned: (key) => calling('postgres', ownedByRow(sql, key)) }),
        readStats: stats,
        feed: new StatsFeed(stats, log),
        streams,
      }),
    )
    .use(batchRoutes({ config, sql, store, uploads, jobs, snapshotDeps, idempotency, memory, claims, queued, guard: sources }))
    .use(batchEventRoutes({ config, snapshots: snapshotDeps, events, streams, log }));
}
