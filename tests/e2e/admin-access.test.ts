import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { PeerAddresses } from '../../api/admin/peer-address.ts';
import { createApp } from '../../api/app.ts';
import { JobEventHub } from '../../api/events/job-events.ts';
import { SseStreams } from '../../api/events/sse.ts';
import { loadConfig } from '../../shared/config.ts';
import { connectDb, type Sql } from '../../shared/db.ts';
import { connectRedis, type Redis } from '../../shared/redis.ts';
import { openStore } from '../../shared/storage/open-store.ts';
import { FlakySource } from '../support/flaky-source.ts';
import { silentLog } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';

const CAT = new Uint8Array(await Bun.file(new URL('../fixtures/cat-640x480.jpg', import.meta.url)).arrayBuffer());

// A documentation address (TEST-NET-2): no packet is ever sent to it. Tests
// send traffic only to loopback, so a request "from elsewhere" is the same
// app, on the same Redis and PostgreSQL, handed a request whose recorded TCP
// peer is this address, as main.ts records server.requestIP for each request.
const OUTSIDE_PEER = '198.51.100.7';

let system: TestSystem;
let source: FlakySource;
let entryId: string;
let outsideApp: { handle(request: Request): Promise<Response> };
let connections: { redis: Redis; sql: Sql; events: JobEventHub };
const peers = new PeerAddresses();
/** A request to the API as it would arrive from a client at OUTSIDE_PEER, addressed to the server's public name. */
const fromOutside = (path: string, init: RequestInit = {}) =>
  outsideApp.handle(peers.record(new Request(`http://kadr.example:3000${path}`, init), OUTSIDE_PEER));

beforeAll(async () => {
  // Listening on every interface, as compose does, and with no ADMIN_TOKEN.
  // A retryable dead letter: a photo by URL whose server keeps failing.
  source = FlakySource.start(CAT);
  system = await TestSystem.start({ env: { HOST: '0.0.0.0', ...source.env() } });
  const config = loadConfig(system.env);
  const redis = await connectRedis(config.redisUrl, silentLog);
  connections = {
    redis,
    sql: await connectDb(config.databaseUrl),
    events: new JobEventHub(await connectRedis(config.redisUrl, silentLog), 'kadr-test-unused-events', silentLog),
  };
  outsideApp = createApp({
    config, redis, sql: connections.sql, store: openStore(config.storage), log: silentLog,
    events: connections.events, streams: new SseStreams(), peers,
  });
  const form = new FormData();
  form.append('url', source.url);
  form.append('description', 'dead letter');
  const { id } = (await (await fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form })).json()) as { id: string };
  await system.waitForJob(id);
  const dead = (await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ entry_id: string; job_id: string }>;
  entryId = dead.find((d) => d.job_id === id)!.entry_id;
}, 60_000);

afterAll(async () => {
  source?.stop();
  await connections?.events.close();
  await Promise.allSettled([connections?.redis.close(), connections?.sql.end({ timeout: 1 })]);
  await system?.stop();
});

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const deadIds = async () =>
  ((await (await fetch(`${system.baseUrl}/api/admin/dead`)).json()) as Array<{ entry_id: string }>).map((d) => d.entry_id);

describe('admin endpoints without ADMIN_TOKEN', () => {
  test('the api warns at boot that they answer loopback clients only', () => {
    expect(system.service('api').output.join('')).toContain('ADMIN_TOKEN is not set');
  });

  test('answer a loopback client, and refuse a client from another address with 403 loopback_only and a reason', async () => {
    expect((await fetch(`${system.baseUrl}/api/admin/stats`)).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/admin/stats'],
      ['GET', '/api/admin/dead'],
      ['POST', `/api/admin/dead/${entryId}/retry`],
      ['DELETE', `/api/admin/dead/${entryId}`],
    ] as const) {
      const res = await fromOutside(path, { method, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(403);
      const error = await errorOf(res);
      expect(error.code).toBe('loopback_only');
      expect(error.message).toContain('ADMIN_TOKEN');
    }
    // The public endpoints still answer everyone.
    expect((await fromOutside('/readyz')).status).toBe(200);
    expect(await deadIds()).toContain(entryId);
  });

  test('a cross-site form POST cannot retry a dead letter: a foreign Origin is 403, a form content type 415', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreign = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, {
      method: 'POST', headers: { ...form, origin: 'https://evil.example' }, body: 'x=1',
    });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).code).toBe('foreign_origin');
    const simple = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, { method: 'POST', headers: form, body: 'x=1' });
    expect(simple.status).toBe(415);
    expect((await errorOf(simple)).code).toBe('json_required');
    const discard = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}`, { method: 'DELETE', headers: { origin: 'null' } });
    expect(discard.status).toBe(403);
    expect(await deadIds()).toContain(entryId);
    // The dashboard's own request (same origin, JSON) goes through.
    const own = await fetch(`${system.baseUrl}/api/admin/dead/${entryId}/retry`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: system.baseUrl },
    });
    expect(own.status).toBe(200);
  });
});
