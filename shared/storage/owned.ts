import type { Sql } from '../db.ts';
import { jobIdOfKey } from './object-keys.ts';

/**
 * True when the `images` row of the key's job records `key` as its path:
 * the object is then the row's (the expiry sweep deletes it with the row),
 * and whoever registered it must only forget it. Looked up by the job id the
 * key holds, so by the primary key.
 */
export async function ownedByRow(sql: Sql, key: string): Promise<boolean> {
  const id = jobIdOfKey(key);
  if (!id) return false;
  const rows = await sql<{ path: string }[]>`select path from images where id = ${id}`;
  return rows[0]?.path === key;
}
