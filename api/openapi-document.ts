import type { Config } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { createApp, type AppDeps } from './app.ts';
import { JobEventHub } from './job-events.ts';
import { SseStreams } from './sse.ts';

/**
 * A stand-in for a dependency the document never needs: building the app and
 * serving /swagger/json must not touch Redis, PostgreSQL or the store, and if
 * a change ever makes it, this says so instead of hanging on a connection.
 */
function untouchable<T>(what: string): T {
  return new Proxy(
    {},
    {
      get(_target, prop) {
        throw new Error(`building the OpenAPI document used ${what} (.${String(prop)}); it must need no running service`);
      },
    },
  ) as T;
}

/**
 * The OpenAPI document exactly as the API serves it at /swagger/json, built
 * without listening and without Redis, PostgreSQL or an image store, for
 * tools that work from the document (the generated client).
 */
export async function openApiDocument(config: Config): Promise<Record<string, unknown>> {
  const log = untouchable<Logger>('the logger');
  const redis = untouchable<AppDeps['redis']>('Redis');
  const deps: AppDeps = {
    config,
    redis,
    sql: untouchable<AppDeps['sql']>('PostgreSQL'),
    store: untouchable<AppDeps['store']>('the image store'),
    log,
    events: new JobEventHub(redis, 'openapi-document', log),
    streams: new SseStreams(),
  };
  const res = await createApp(deps).handle(new Request('http://kadr.local/swagger/json'));
  if (res.status !== 200) throw new Error(`/swagger/json answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}
