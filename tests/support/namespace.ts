import { createClient } from 'redis';
import postgres from 'postgres';

/** Where the real services for tests live; CI starts them (see .ci/run). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

export function uniqueName(kind: string): string {
  return `kadr_${kind}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A fresh PostgreSQL database for one test file; drop() removes it. With
 * `owner` (a role that exists) the database is that role's, so services
 * connecting as it own the tables they migrate, and a test can revoke their
 * privileges (a superuser has every privilege whatever is revoked).
 */
export async function createTestDatabase(owner?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueName('test');
  const admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"${owner ? ` owner "${owner}"` : ''}`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}

/** Deletes every Redis key under `prefix`. */
export async function deleteRedisPrefix(prefix: string, url: string = TEST_REDIS_URL): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    const keys = Array.isArray(batch) ? batch : [batch];
    if (keys.length) await client.del(keys);
  }
  await client.quit();
}
