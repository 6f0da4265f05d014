import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchJobIds, findBatch, insertBatch } from '../../api/batches/batches-table.ts';
import { completeBatch, completeFinishedBatches } from '../../saver/batch-completion.ts';
import { insertImage } from '../../saver/images-table.ts';
import { sweepExpired } from '../../saver/sweep.ts';
import { FileStore } from '../../shared/storage/file-store.ts';
import { BatchProgress } from '../../shared/batches/progress.ts';
import { connectDb, type Sql } from '../../shared/db.ts';
import { migrateUp } from '../../shared/migrate.ts';
import { createTestDatabase } from '../support/namespace.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ns: Awaited<ReturnType<typeof redisNamespace>>;
let sql: Sql;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateUp(db.url, silentLog);
  sql = await connectDb(db.url);
  ns = await redisNamespace();
  dir = await mkdtemp(join(tmpdir(), 'kadr-sweep-'));
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
  await ns?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** A batch of `count` saved images (rows and files), completed at `completedAt` and expiring at `expiresAt`. */
async function savedBatch(count: number, expiresAt: Date | null): Promise<{ id: string; jobs: string[] }> {
  const id = Bun.randomUUIDv7();
  const jobs = Array.from({ length: count }, () => Bun.randomUUIDv7());
  await insertBatch(sql, id, jobs, new Date().toISOString());
  for (const job of jobs) await savedImage(job, id);
  if (expiresAt) await sql`update batches set completed_at = ${expiresAt}, expires_at = ${expiresAt} where id = ${id}`;
  return { id, jobs };
}

async function savedImage(id: string, batchId: string | null, savedAt?: Date): Promise<void> {
  await writeFile(join(dir, `${id}.jpg`), new Uint8Array([0xff, 0xd8, 0xff, 1]));
  await writeFile(join(dir, `${id}.thumb.webp`), new TextEncoder().encode('RIFF'));
  await insertImage(sql, {
    id, received_at: new Date().toISOString(), description: 'd', path: `${id}.jpg`,
    width: 1, height: 1, bytes: 4, format: 'jpeg', content_type: 'image/jpeg', batch_id: batchId, thumbnail_path: `${id}.thumb.webp`,
  });
  if (savedAt) await sql`update images set saved_at = ${savedAt} where id = ${id}`;
}

const onDisk = async () => new Set(await readdir(dir));

describe('sweeping expired batches on real PostgreSQL', () => {
  test('two sweepers at once delete each expired file, thumbnail and row exactly once, and leave live batches alone', async () => {
    const past = new Date(Date.now() - 60_000);
    const expired = await Promise.all(Array.from({ length: 12 }, () => savedBatch(4, past)));
    const live = await savedBatch(3, new Date(Date.now() + 3_600_000));
    const running = await savedBatch(2, null);
    const other = await connectDb(db.url);
    try {
      // Small pages make the two interleave over many statements.
      const [a, b] = await Promise.all([
        sweepExpired(sql, new FileStore(dir), { limit: 2 }),
        sweepExpired(other, new FileStore(dir), { limit: 2 }),
      ]);
      const expiredJobs = expired.flatMap((e) => e.jobs);
      const files = [...a.files, ...b.files];
      expect(files.length).toBe(expiredJobs.length);
      expect(new Set(files)).toEqual(new Set(expiredJobs.map((j) => `${j}.jpg`)));
      expect(a.rows + b.rows).toBe(expiredJobs.length);
      expect([...a.batches, ...b.batches].sort()).toEqual(expired.map((e) => e.id).sort());
      expect([...a.jobs, ...b.jobs].sort()).toEqual([...expiredJobs].sort());
    } finally {
      await other.end();
    }
    const disk = await onDisk();
    for (const e of expired) {
      for (const j of e.jobs) expect([disk.has(`${j}.jpg`), disk.has(`${j}.thumb.webp`)]).toEqual([false, false]);
      expect(await batchJobIds(sql, e.id)).toEqual([]);
      const tombstone = await findBatch(sql, e.id);
      expect(tombstone?.expired_at).toBeInstanceOf(Date);
    }
    const left = await sql`select count(*)::int as n from images where batch_id in ${sql(expired.map((e) => e.id))}`;
    expect(left[0]!.n).toBe(0);
    for (const kept of [live, running]) {
      for (const j of kept.jobs) expect([disk.has(`${j}.jpg`), disk.has(`${j}.thumb.webp`)]).toEqual([true, true]);
      expect(await batchJobIds(sql, kept.id)).toEqual(kept.jobs);
      expect((await findBatch(sql, kept.id))?.expired_at).toBeNull();
    }
  });

  test('a second sweep finds nothing more to delete', async () => {
    const swept = await sweepExpired(sql, new FileStore(dir));
    expect(swept).toEqual({ batches: [], jobs: [], rows: 0, files: [] });
  });

  test('single uploads are kept without IMAGE_TTL_SECONDS and deleted past it when set', async () => {
    const old = Bun.randomUUIDv7();
    const fresh = Bun.randomUUIDv7();
    await savedImage(old, null, new Date(Date.now() - 7_200_000));
    await savedImage(fresh, null);
    expect((await sweepExpired(sql, new FileStore(dir))).rows).toBe(0);
    const swept = await sweepExpired(sql, new FileStore(dir), { imageTtlSeconds: 3600 });
    expect(swept.files).toEqual([`${old}.jpg`]);
    const disk = await onDisk();
    expect([disk.has(`${old}.jpg`), disk.has(`${old}.thumb.webp`)]).toEqual([false, false]);
    expect([disk.has(`${fresh}.jpg`), disk.has(`${fresh}.thumb.webp`)]).toEqual([true, true]);
    expect((await sql`select id from images where id in ${sql([old, fresh])}`).map((r) => r.id)).toEqual([fresh]);
  });
});

describe('completing batches (the chord)', () => {
  const progress = () => new BatchProgress(ns.redis, ns.k.batchFinished, 3600);

  /** Runs the commands a worker's MULTI would run when a job ends. */
  async function finish(batchId: string, jobId: string, status: 'done' | 'failed') {
    const tx = ns.redis.multi();
    const error = status === 'failed' ? { name: 'ImageDecodeError', code: 'image_undecodable', message: 'cannot decode' } : undefined;
    for (const c of progress().finishCommands(batchId, jobId, status, error)) tx.addCommand(c as never);
    await tx.exec();
  }

  test('a batch completes when every job has ended, failed ones included, and a job ending twice counts once', async () => {
    const id = Bun.randomUUIDv7();
    const jobs = [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()];
    await insertBatch(sql, id, jobs, new Date().toISOString());
    await finish(id, jobs[0]!, 'done');
    await finish(id, jobs[1]!, 'failed');
    await finish(id, jobs[1]!, 'done'); // a redelivery: the first end stands
    await finish(id, jobs[0]!, 'done');
    expect(await completeBatch(sql, progress(), id, 60)).toBe(false);
    expect((await findBatch(sql, id))?.completed_at).toBeNull();
    const finished = await progress().finished(id);
    expect(finished.get(jobs[1]!)?.status).toBe('failed');
    expect(finished.get(jobs[1]!)?.error).toEqual({ code: 'image_undecodable', message: 'cannot decode' });
    await finish(id, jobs[2]!, 'done');
    const last = (await progress().finished(id)).get(jobs[2]!)!.at;
    const [before] = await sql<{ now: Date }[]>`select now()`;
    expect(await completeBatch(sql, progress(), id, 60)).toBe(true);
    const [after] = await sql<{ now: Date }[]>`select now()`;
    expect(await completeBatch(sql, progress(), id, 60)).toBe(false);
    const row = await findBatch(sql, id);
    expect(row?.completed_at?.toISOString()).toBe(last);
    // The TTL runs on the database's clock, from the moment the batch was completed.
    expect(row!.expires_at!.getTime()).toBeGreaterThanOrEqual(before!.now.getTime() + 60_000);
    expect(row!.expires_at!.getTime()).toBeLessThanOrEqual(after!.now.getTime() + 60_000);
  });

  test('a batch whose jobs ended on a worker clock 25 h behind still expires a TTL after completing, on the database\'s clock', async () => {
    const id = Bun.randomUUIDv7();
    const jobs = [Bun.randomUUIDv7(), Bun.randomUUIDv7()];
    await insertBatch(sql, id, jobs, new Date().toISOString());
    // What finishCommands writes on a host whose clock is 25 h behind.
    const behind = new Date(Date.now() - 25 * 3_600_000).toISOString();
    for (const job of jobs) await ns.redis.sendCommand(['HSETNX', ns.k.batchFinished(id), job, JSON.stringify({ status: 'done', at: behind })]);
    const [before] = await sql<{ now: Date }[]>`select now()`;
    expect(await completeBatch(sql, progress(), id, 3600)).toBe(true);
    expect((await findBatch(sql, id))!.expires_at!.getTime()).toBeGreaterThanOrEqual(before!.now.getTime() + 3_600_000);
    expect((await sweepExpired(sql, new FileStore(dir))).batches).not.toContain(id);
  });

  test('the periodic check completes a batch whose last job was dead-lettered where no database is at hand', async () => {
    const id = Bun.randomUUIDv7();
    const jobs = [Bun.randomUUIDv7(), Bun.randomUUIDv7()];
    await insertBatch(sql, id, jobs, new Date().toISOString());
    await finish(id, jobs[0]!, 'done');
    await finish(id, jobs[1]!, 'failed');
    expect(await completeFinishedBatches(sql, progress(), 60)).toBeGreaterThanOrEqual(1);
    expect((await findBatch(sql, id))?.completed_at).toBeInstanceOf(Date);
  });

  test('nothing is recorded for a job outside a batch', () => {
    expect(progress().finishCommands(undefined, Bun.randomUUIDv7(), 'done')).toEqual([]);
    expect(progress().finishCommands('not-a-uuid', Bun.randomUUIDv7(), 'done')).toEqual([]);
  });
});
