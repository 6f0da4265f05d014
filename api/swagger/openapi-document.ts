import type { OpenAPIV3 } from 'openapi-types';
import type { Config } from '../../shared/config.ts';
import { createApp, type AppDeps } from '../app.ts';
import { pino } from 'pino';

/** A dependency that must not be used: building the document touches no service. */
function unused(name: string): never {
  return new Proxy({}, {
    get: (_target, key) => {
      if (key === 'then') return undefined;
      throw new Error(`${name} is not connected: the OpenAPI document is built without services (read ${String(key)})`);
    },
  }) as never;
}

/**
 * The app built without listening or connecting to anything: only its
 * documentation and pages can answer.
 */
export function openApiApp(config: Config) {
  const deps: AppDeps = {
    config,
    redis: unused('redis'),
    sql: unused('sql'),
    store: unused('store'),
    // The document logs nothing; a logger that writes nowhere.
    log: pino({ enabled: false }),
    events: unused('events'),
    streams: unused('streams'),
  };
  return createApp(deps);
}

/** The OpenAPI document GET /swagger/json answers (the lint script's input). */
export async function openApiDocument(config: Config): Promise<OpenAPIV3.Document> {
  const res = await openApiApp(config).handle(new Request('http://localhost/swagger/json'));
  if (res.status !== 200) throw new Error(`GET /swagger/json answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as OpenAPIV3.Document;
}
