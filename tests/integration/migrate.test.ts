import { afterAll, beforeAll, expect, test } from 'bun:test';
import { migrateUp } from '../../shared/migrate.ts';
import { createTestDatabase } from '../support/namespace.ts';
import { silentLog } from '../support/redis.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

test('services starting at once all migrate: none fails its boot, each migration is applied once', async () => {
  // As when the API and several savers start together on a fresh database.
  const results = await Promise.allSettled(Array.from({ length: 4 }, () => migrateUp(db.url, silentLog)));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  expect(applied).toEqual(['1732300000000_create-images']);
}, 30_000);
