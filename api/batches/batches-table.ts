import type { Sql } from '../../shared/db.ts';

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

export interface BatchImage {
  id: string;
  path: string;
}

/**
 * Records a batch and its jobs in upload order, in one transaction, before
 * any job is queued: a job can then never end without its batch to count in.
 */
export async function insertBatch(sql: Sql, id: string, jobIds: string[], createdAt: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into batches (id, created_at, image_count) values (${id}, ${createdAt}, ${jobIds.length})`;
    const rows = jobIds.map((job_id, position) => ({ batch_id: id, position, job_id }));
    await tx`insert into batch_jobs ${tx(rows, 'batch_id', 'position', 'job_id')}`;
  });
}

/** Removes a batch whose jobs could not be queued, so a refused request leaves nothing behind. */
export async function deleteBatch(sql: Sql, id: string): Promise<void> {
  await sql`delete from batches where id = ${id}`;
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

/** The stored images of a batch, by job id. */
export async function batchImages(sql: Sql, id: string): Promise<Map<string, BatchImage>> {
  const rows = await sql<BatchImage[]>`select id, path from images where batch_id = ${id}`;
  return new Map(rows.map((r) => [r.id, r]));
}
