import { Elysia } from 'elysia';
import type { OpenAPIV3 } from 'openapi-types';
import type { Sql } from '../../shared/db.ts';
import type { Redis } from '../../shared/redis.ts';
import { command } from '../../shared/redis.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import type { Keys } from '../../shared/queue/keys.ts';
import { json } from '../http-errors.ts';
import { workers } from '../admin/stats-snapshot.ts';

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await within(1000, check());
    return 'ok';
  } catch (err) {
    return `unavailable: ${(err as Error).message}`;
  }
}

/**
 * Outages the workers are waiting out, by consumer: PostgreSQL may answer
 * this API's `select 1` and still refuse the saver's insert (a revoked
 * privilege, a read-only replica after a failover, a full disk).
 */
async function workerOutages(redis: Redis, k: Keys): Promise<Record<string, string>> {
  try {
    const list = await within(1000, workers(redis, k));
    return Object.fromEntries(list.filter((w) => w.outage).map((w) => [w.consumer, `${w.outage!.code}: ${w.outage!.message}`]));
  } catch {
    return {}; // Redis itself is reported above
  }
}

const jsonBody = (description: string, schema: OpenAPIV3.SchemaObject): OpenAPIV3.ResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

const healthSchema: OpenAPIV3.SchemaObject = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };

const probeResult: OpenAPIV3.SchemaObject = { type: 'string', description: '`ok`, or `unavailable: ` and why' };

const readinessSchema: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['status', 'redis', 'postgres', 'storage'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    redis: probeResult,
    postgres: probeResult,
    storage: probeResult,
    workers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'the workers waiting out an outage, consumer → `code: message` (only when any is)',
    },
  },
};

export function healthRoutes(deps: { redis: Redis; sql: Sql; store: ObjectStore; k: Keys }) {
  return new Elysia({ name: 'health' })
    .get('/healthz', () => json(200, { status: 'ok' }), {
      detail: {
        tags: ['health'],
        summary: 'The API process is up',
        description: 'Liveness: answers while the process serves requests, whatever its dependencies do.',
        responses: { 200: jsonBody('up', healthSchema) },
      },
    })
    .get(
      '/readyz',
      async () => {
        const [redis, postgres, storage, outages] = await Promise.all([
          probe(() => command(deps.redis, ['PING'])),
          probe(() => deps.sql`select 1`),
          probe(() => deps.store.check()),
          workerOutages(deps.redis, deps.k),
        ]);
        const waiting = Object.keys(outages).length > 0;
        const ready = redis === 'ok' && postgres === 'ok' && storage === 'ok' && !waiting;
        return json(ready ? 200 : 503, {
          status: ready ? 'ready' : 'unavailable',
          redis,
          postgres,
          storage,
          ...(waiting ? { workers: outages } : {}),
        });
      },
      {
        detail: {
          tags: ['health'],
          summary: 'Redis, PostgreSQL and the image store answer, and no worker is waiting out an outage',
          description: 'Readiness: each dependency is probed with a 1 s limit; 503 names the one that did not answer.',
          responses: {
            200: jsonBody('ready', readinessSchema),
            503: jsonBody('a dependency does not answer, or a worker is retrying in place (`workers`: consumer → code: message); the body says which', readinessSchema),
          },
        },
      },
    );
}
