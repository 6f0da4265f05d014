import { Elysia } from 'elysia';
import { swagger } from '@elysiajs/swagger';
import type { Config } from '../shared/config.ts';
import type { Sql } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import { BatchProgress } from '../shared/batches/progress.ts';
import { JobStore } from '../shared/jobs.ts';
import { GROUPS, keys } from '../shared/queue/keys.ts';
import { StreamQueue } from '../shared/queue/stream.ts';
import { errorResponse, SECURITY_HEADERS } from './http-errors.ts';
import { IdempotencyStore } from './idempotency.ts';
import { batchRoutes } from './routes/batches.ts';
import { healthRoutes } from './routes/health.ts';
import { imageRoutes } from './routes/images.ts';

export interface AppDeps {
  config: Config;
  redis: Redis;
  sql: Sql;
  log: Logger;
}

/**
 * Builds the HTTP API without listening, so tests can call
 * `app.handle(new Request(...))` and main.ts decides where it serves.
 */
export function createApp({ config, redis, sql, log }: AppDeps) {
  const k = keys(config.keyPrefix);
  const uploads = new StreamQueue(redis, k.uploads, GROUPS.processors);
  const jobs = new JobStore(redis, k.job, config.jobTtlSeconds);
  const idempotency = new IdempotencyStore(redis, k.idempotency, { ttlSeconds: config.idempotencyTtlSeconds });
  const progress = new BatchProgress(redis, k.batchFinished, config.jobTtlSeconds);
  return new Elysia()
    .use(
      swagger({
        path: '/swagger',
        provider: 'swagger-ui',
        exclude: ['/swagger', '/swagger/json'],
        documentation: {
          info: {
            title: 'kadr',
            version: '0.1.0',
            description:
              'Asynchronous image processing: upload a photo with a description and get it back with the ' +
              'description in a black band underneath, or processed by a pipeline of operations (crop, resize, ' +
              'grayscale, rotate, watermark, format...) given in the `operations` field or through a shortcut endpoint. ' +
              'Every error answers `{ "error": { "code", "message" } }`.',
          },
          tags: [
            { name: 'images', description: 'upload, status, list and download' },
            { name: 'operations', description: 'one operation per endpoint: the photo and the operation\'s parameters as form fields' },
            { name: 'batches', description: 'many photos at once, one job each, downloaded as one ZIP that expires' },
            { name: 'health', description: 'liveness and readiness' },
          ],
        },
      }),
    )
    .onRequest(({ set }) => {
      Object.assign(set.headers, SECURITY_HEADERS);
    })
    .onError(({ error, code }) => errorResponse(error, code, log))
    .use(healthRoutes({ redis, sql }))
    .use(imageRoutes({ config, sql, uploads, jobs, idempotency }))
    .use(batchRoutes({ config, sql, uploads, jobs, progress, idempotency }));
}
