import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { startLoad } from '../support/load.ts';
import { TEST_PG_ADMIN_URL, uniqueName } from '../support/namespace.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { reportOutcome } from '../support/report.ts';
import { TestSystem } from '../support/system.ts';
import { until } from '../support/wait.ts';

// The services connect as a role of this test's own that owns the test
// database: a superuser (the harness's root) keeps every privilege whatever
// is revoked, so revoking from it would test nothing.
const ROLE = uniqueName('role');
const REVOKED_MS = 8_000;

let admin: postgres.Sql;
let system: TestSystem | undefined;
let db: postgres.Sql | undefined;

beforeAll(async () => {
  admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create role "${ROLE}" login`);
  system = await TestSystem.start({ processors: 1, dbUser: ROLE, env: { MAX_DELIVERIES: '3' } });
  db = postgres(system.databaseUrl, { max: 1, onnotice: () => {} });
}, 60_000);

afterAll(async () => {
  await db?.unsafe(`grant insert on images to "${ROLE}"`).catch(() => {});
  await db?.end();
  await system?.stop();
  await admin.unsafe(`drop role if exists "${ROLE}"`);
  await admin.end();
}, 30_000);

async function readyz(): Promise<{ status: number; body: { workers?: Record<string, string> } }> {
  const res = await fetch(`${system!.baseUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { workers?: Record<string, string> } };
}

test('INSERT revoked on images for a while: good jobs wait, /readyz names the saver\'s outage, and all end done after the GRANT', async () => {
  const s = system!;
  const startedAt = performance.now();
  const before = startLoad(s.baseUrl, { count: 3 });
  await before.finished;
  await until('the first images saved', () => s.logCount('saver', 'saved') >= 3, 20_000);

  await db!.unsafe(`revoke insert on images from "${ROLE}"`);
  const load = startLoad(s.baseUrl, { count: 20, perSecond: 10, concurrency: 2 });
  await until('the saver retrying in place', () => s.logCount('saver', 'dependency unavailable; retrying the same entry') >= 3, 20_000);
  const ready = await readyz();
  expect(ready.status).toBe(503);
  expect(Object.values(ready.body.workers ?? {}).join(' ')).toContain('42501');
  const stats = (await (await fetch(`${s.baseUrl}/api/admin/stats`)).json()) as { workers: Array<{ kind: string; outage: { code: string } | null }> };
  expect(stats.workers.find((w) => w.kind === 'saver')?.outage?.code).toBe('database_unavailable');
  // Longer than MAX_DELIVERIES retries would take if they counted.
  await Bun.sleep(REVOKED_MS);
  await load.finished;
  expect(s.logCount('saver', 'moving entry to the dead-letter stream')).toBe(0);

  await db!.unsafe(`grant insert on images to "${ROLE}"`);
  const outcome = await expectNothingLost(s, new Map([...before.accepted, ...load.accepted]), { timeoutMs: 60_000 });
  expect(outcome.failed).toBe(0);
  expect(outcome.done).toBe(23);
  await until('/readyz ready again', async () => (await readyz()).status === 200, 10_000);
  reportOutcome('INSERT revoked 8 s', load, outcome, startedAt, {});
}, 90_000);
