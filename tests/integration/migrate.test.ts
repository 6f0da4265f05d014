import { afterAll, beforeAll, expect, test } from 'bun:test';
import postgres from 'postgres';
import { migrateUp } from '../../shared/migrate.ts';
import { createTestDatabase } from '../support/namespace.ts';
import { silentLog } from '../support/redis.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

// `npm start` and compose start the api and the saver together, and both
// migrate before serving: neither may fail its boot because the other holds
// the migration lock.
test('services migrating one fresh database at once all succeed, and each migration is applied once', async () => {
  const runs = await Promise.all(Array.from({ length: 4 }, () => migrateUp(db.url, silentLog)));
  expect(runs.flat()).toEqual(['1732300000000_create-images', '1732400000000_images-format', '1732500000000_batches', '1733000000000_webhooks', '1733100000000_images-thumbnail']);
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select count(*)::int as n from pgmigrations`;
    expect(row!.n).toBe(5);
  } finally {
    await sql.end();
  }
});
