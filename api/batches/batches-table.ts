import type { Sql } from '../../shared/db.ts';

// The saver reads batches too (a batch.complete webhook carries its snapshot).
export { batchJobIds, findBatch, type BatchRow } from '../../shared/batches/batch-rows.ts';

export interface BatchImage {
  id: string;
  path: string;
}

/**
 * Records a batch and its jobs in upload order, in one transaction, before
 * any job is queued: a job can then never end without its batch to count in.
 * `callbackUrl` is where its batch.complete webhook goes.
 */
export async function insertBatch(sql: Sql, id: string, jobIds: string[], createdAt: string, callbackUrl?: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into batches (id, created_at, image_count, callback_url) values (${id}, ${createdAt}, ${jobIds.length}, ${callbackUrl ?? null})`;
    const rows = jobIds.map((job_id, position) => ({ batch_id: id, position, job_id }));
    await tx`insert into batch_jobs ${tx(rows, 'batch_id', 'position', 'job_id')}`;
  });
}

/** Removes a batch whose jobs could not be queued, so a refused request leaves nothing behind. */
export async function deleteBatch(sql: Sql, id: string): Promise<void> {
  await sql`delete from batches where id = ${id}`;
}

/** The stored images of a batch, by job id. */
export async function batchImages(sql: Sql, id: string): Promise<Map<string, BatchImage>> {
  const rows = await sql<BatchImage[]>`select id, path from images where batch_id = ${id}`;
  return new Map(rows.map((r) => [r.id, r]));
}
