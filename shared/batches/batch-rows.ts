import type { Sql } from '../db.ts';

export interface BatchRow {
  id: string;
  created_at: Date;
  image_count: number;
  completed_at: Date | null;
  expires_at: Date | null;
  /** Set by the sweeper: the batch's files and rows are gone, the row is a tombstone. */
  expired_at: Date | null;
  /** The database's now() when the row was read: expiry is judged on that clock, never the api host's. */
  read_at: Date;
}

export async function findBatch(sql: Sql, id: string): Promise<BatchRow | null> {
  const [row] = await sql<BatchRow[]>`
    select id, created_at, image_count, completed_at, expires_at, expired_at, now() as read_at from batches where id = ${id}`;
  return row ?? null;
}

/** The batch's job ids in upload order. */
export async function batchJobIds(sql: Sql, id: string): Promise<string[]> {
  const rows = await sql<{ job_id: string }[]>`select job_id from batch_jobs where batch_id = ${id} order by position`;
  return rows.map((r) => r.job_id);
}
