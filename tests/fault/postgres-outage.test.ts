import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startLoad } from '../support/load.ts';
import { TEST_PG_ADMIN_URL } from '../support/namespace.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { TestSystem } from '../support/system.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { until } from '../support/wait.ts';

const OUTAGE_MS = 10_000;
// Well under postgres.js's 5 s connect timeout: a read must not wait for it.
const PROMPT_MS = 2_000;

let proxy: TcpProxy;
let system: TestSystem;

beforeAll(async () => {
  const pg = new URL(TEST_PG_ADMIN_URL);
  proxy = await TcpProxy.start({ host: pg.hostname, port: Number(pg.port || 5432) });
  system = await TestSystem.start({ processors: 1, pgPort: proxy.port, env: { RECLAIM_IDLE_MS: '2000' } });
}, 60_000);

afterAll(async () => {
  await proxy?.restore();
  await system?.stop();
  await proxy?.close();
}, 30_000);

interface Read {
  path: string;
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  code: string | undefined;
  ms: number;
}

/** One GET; a request that hangs is cut off and recorded as status 0, not thrown. */
async function read(path: string): Promise<Read> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(`${system.baseUrl}${path}`, { signal: AbortSignal.timeout(8_000) });
  } catch (err) {
    return { path, status: 0, retryAfter: null, contentType: null, code: (err as Error).name, ms: performance.now() - started };
  }
  const contentType = res.headers.get('content-type');
  const body = contentType?.startsWith('application/json') ? ((await res.json()) as { error?: { code: string } }) : await res.arrayBuffer();
  return {
    path,
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    contentType,
    code: 'error' in body ? body.error?.code : undefined,
    ms: performance.now() - started,
  };
}

test('PostgreSQL gone for 10 s mid-load: uploads still get 202, reads answer 503 at once, the saver catches up and nothing is lost', async () => {
  const startedAt = performance.now();
  // One image finished before the outage, to be asked for during it.
  const before = startLoad(system.baseUrl, { count: 1 });
  await before.finished;
  const [savedId] = [...before.accepted.keys()];
  await until('the first image saved', async () => (await read(`/api/images/${savedId}`)).status === 200, 20_000);
  expect(proxy.connections).toBeGreaterThan(0);

  // 20 uploads a second, from before the cut until a second after the restore
  // (stopped then), so about 200 arrive while PostgreSQL is away however long
  // the system took to get going. The count only bounds a test that fails.
  const load = startLoad(system.baseUrl, { count: 600, perSecond: 20, concurrency: 4 });
  await until('the load under way', () => load.accepted.size >= 30 && system.logCount('saver', 'saved') >= 20, 20_000);
  await proxy.cut();
  const cutAt = performance.now();
  const acceptedAtCut = load.accepted.size;
  const savedAtCut = system.logCount('saver', 'saved');

  const reads: Read[] = [];
  while (performance.now() - cutAt < OUTAGE_MS) {
    const recent = [...load.accepted.keys()].at(-1);
    reads.push(...(await Promise.all([
      read('/api/images'),
      read(`/api/images/${savedId}`),
      read('/readyz'),
      // A status needs no row: Redis answers it.
      read(`/api/images/${savedId}/status`),
      read(`/api/images/${recent}/status`),
    ])));
    await Bun.sleep(250);
  }
  const acceptedDuringOutage = load.accepted.size - acceptedAtCut;
  // Nothing can be saved without the database (a save in flight at the cut may finish).
  const savedDuringOutage = system.logCount('saver', 'saved') - savedAtCut;
  await proxy.restore();
  // Some uploads after the restore too: the saver must take them alongside its backlog.
  await Bun.sleep(1_000);
  load.stop();

  expect(acceptedDuringOutage).toBeGreaterThan(100);
  expect(savedDuringOutage).toBeLessThanOrEqual(1);
  const api = reads.filter((r) => r.path !== '/readyz' && !r.path.endsWith('/status'));
  expect(api.filter((r) => r.status !== 503 || r.code !== 'postgres_unavailable' || !r.contentType?.startsWith('application/json'))).toEqual([]);
  expect(api.filter((r) => !(Number(r.retryAfter) > 0))).toEqual([]);
  expect(reads.filter((r) => r.ms > PROMPT_MS)).toEqual([]);
  expect(reads.filter((r) => r.path === '/readyz' && r.status !== 503)).toEqual([]);
  expect(reads.filter((r) => r.path.endsWith('/status') && r.status !== 200)).toEqual([]);
  // The saver kept retrying the same entry, backing off, rather than failing it.
  const retries = system.logCount('saver', 'dependency unavailable; retrying the same entry');
  expect(retries).toBeGreaterThanOrEqual(3);
  expect(retries).toBeLessThan(40);

  await load.finished;
  expect(load.refusals).toEqual([]);
  const outcome = await expectNothingLost(system, new Map([...before.accepted, ...load.accepted]), { timeoutMs: 60_000 });
  expect(outcome.failed).toBe(0);
  expect((await read(`/api/images/${savedId}`)).status).toBe(200);
  expect((await read('/api/images')).status).toBe(200);
  reportOutcome('PostgreSQL outage 10 s', load, outcome, startedAt, {
    acceptedDuringOutage,
    reads: api.length,
    slowestReadMs: Math.round(Math.max(...reads.map((r) => r.ms))),
    saverRetries: retries,
  });
}, 90_000);
