import { Elysia } from 'elysia';
import { swagger } from '@elysiajs/swagger';
import type { Config } from '../shared/config.ts';
import type { Sql } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import type { Redis } from '../shared/redis.ts';
import { JobStore } from '../shared/jobs.ts';
import { GROUPS, keys } from '../shared/queue/keys.ts';
import { StreamQueue } from '../shared/queue/stream.ts';
import { errorResponse, SECURITY_HEADERS } from './http-errors.ts';
import { IdempotencyStore } from './idempotency.ts';
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
  const jobs = new JobStore(redis, k, config.jobTtlSeconds);
  const idempotency = new IdempotencyStore(redis, k.idempotency, { ttlSeconds: config.idempotencyTtlSeconds });
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
              'Asynchronous image captioning: upload a photo with a description, get it back with the ' +
              'description in a black band underneath. Every error answers `{ "error": { "code", "message" } }`.',
          },
          tags: [
            { name: 'images', description: 'upload, status, list and download' },
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
    .use(imageRoutes({ config, sql, uploads, jobs, idempotency }));
}
