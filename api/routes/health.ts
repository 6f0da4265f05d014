import { Elysia } from 'elysia';
import type { Sql } from '../../shared/db.ts';
import type { Redis } from '../../shared/redis.ts';
import { command } from '../../shared/redis.ts';
import type { ObjectStore } from '../../shared/storage/store.ts';
import { json } from '../http-errors.ts';

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

export function healthRoutes(deps: { redis: Redis; sql: Sql; store: ObjectStore }) {
  return new Elysia({ name: 'health' })
    .get('/healthz', () => json(200, { status: 'ok' }), {
      detail: { tags: ['health'], summary: 'The API process is up', responses: { 200: { description: 'up' } } },
    })
    .get(
      '/readyz',
      async () => {
        const [redis, postgres, storage] = await Promise.all([
          probe(() => command(deps.redis, ['PING'])),
          probe(() => deps.sql`select 1`),
          probe(() => deps.store.check()),
        ]);
        const ready = redis === 'ok' && postgres === 'ok' && storage === 'ok';
        return json(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', redis, postgres, storage });
      },
      {
        detail: {
          tags: ['health'],
          summary: 'Redis, PostgreSQL and the image store answer',
          responses: { 200: { description: 'ready' }, 503: { description: 'a dependency does not answer; the body says which' } },
        },
      },
    );
}
