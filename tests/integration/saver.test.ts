import { fieldsCost } from '../../shared/queue/stream-bytes.ts';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import postgres from 'postgres';
import { connectDb, type Sql } from '../../shared/db.ts';
import { BatchProgress } from '../../shared/batches/progress.ts';
import { JobStore } from '../../shared/jobs.ts';
import { migrateUp } from '../../shared/migrate.ts';
import { captionedCodec, toFields } from '../../shared/messages.ts';
import { command } from '../../shared/redis.ts';
import { Claim } from '../../shared/queue/claim.ts';
import type { Entry } from '../../shared/queue/reply.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import { createSaveHandler } from '../../saver/handle.ts';
import { FileStore } from '../../shared/storage/file-store.ts';
import { discardSaved } from '../../saver/discard.ts';
import { StreamConsumer } from '../../shared/queue/consumer.ts';
import { failJobCommands } from '../../shared/queue/fail-job.ts';
import { until } from '../support/wait.ts';
import { createTestDatabase } from '../support/namespace.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';
import { WorkerStats } from '../../shared/stats/worker-stats.ts';
import { WebhookEvents } from '../../shared/webhooks/events.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let ns: Awaited<ReturnType<typeof redisNamespace>>;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ns = await redisNamespace();
  dir = await mkdtemp(join(tmpdir(), 'kadr-saver-'));
});
afterAll(async () => {
  await sql?.end();
  await db.drop();
  await ns.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('migrations on real PostgreSQL', () => {
  test('create the images table, and a second run applies nothing', async () => {
    expect(await migrateUp(db.url, silentLog)).toEqual(['1732300000000_create-images', '1732400000000_images-format', '1732500000000_batches', '1733000000000_webhooks', '1733100000000_images-thumbnail']);
    expect(await migrateUp(db.url, silentLog)).toEqual([]);
    sql = await connectDb(db.url);
    const cols = await sql`select column_name from information_schema.columns where table_name = 'images' order by ordinal_position`;
    expect(cols.map((c) => c.column_name)).toEqual(
      ['id', 'received_at', 'description', 'path', 'width', 'height', 'bytes', 'saved_at', 'format', 'content_type', 'batch_id', 'thumbnail_path'],
    );
  });
});

/** A claim as the consumer holds it ('s' read the entries), renewed too rarely to matter here. */
const claimOf = (q: StreamQueue, entry: Entry) => new Claim(q, 's', entry.id, 60_000, silentLog, entry.fields ? fieldsCost(entry.fields) : 0);

/** What the saver needs for batch jobs; these tests save single uploads. */
const batchDeps = () => {
  const progress = new BatchProgress(ns.redis, ns.k.batchFinished, 3600);
  const events = new WebhookEvents(ns.k.webhooks, '');
  const jobs = new JobStore(ns.redis, ns.k, 3600);
  const batchWebhooks = { sql, redis: ns.redis, jobs, progress, events, baseUrl: '', batchTtlSeconds: 3600, log: silentLog };
  return { progress, batchTtlSeconds: 3600, events, batchWebhooks };
};

describe('saver', () => {
  test('a redelivered message creates no second file, thumbnail or row', async () => {
    const captioned = new StreamQueue(ns.redis, ns.k.captioned, 'savers');
    await captioned.ensureGroup();
    const jobs = new JobStore(ns.redis, ns.k, 3600);
    const save = createSaveHandler({ jobs, sql, store: new FileStore(dir), stats: new WorkerStats(ns.k, 'saver-test'), log: silentLog, ...batchDeps() });
    const id = Bun.randomUUIDv7();
    const image = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const thumbnail = new Uint8Array([0xff, 0xd8, 0xff, 9, 9]);
    await command(ns.redis, ['XADD', captioned.key, '*', ...toFields({
      id, description: "Robert'); drop table images;-- <script>", received_at: '2026-11-22T10:00:00.123Z', image, width: 640, height: 500, thumbnail, thumbnail_format: 'jpeg',
    })]);
    const [entry] = await captioned.readNew(ns.reader, 's', 1, 100);
    const msg = captionedCodec.decode(entry!.fields!);
    await save(msg, entry!, claimOf(captioned, entry!));
    await save(msg, entry!, claimOf(captioned, entry!)); // as after a crash between the insert and the ack
    const rows = await sql`select * from images where id = ${id}`;
    expect(rows.length).toBe(1);
    expect(rows[0]!.description).toBe("Robert'); drop table images;-- <script>");
    expect(rows[0]!.received_at.toISOString()).toBe('2026-11-22T10:00:00.123Z');
    expect([rows[0]!.width, rows[0]!.height, rows[0]!.bytes, rows[0]!.path]).toEqual([640, 500, 6, `${id}.jpg`]);
    expect((await readdir(dir)).sort()).toEqual([`${id}.jpg`, `${id}.thumb.jpg`]);
    expect(Buffer.from(await readFile(join(dir, `${id}.jpg`))).equals(Buffer.from(image))).toBe(true);
    expect(Buffer.from(await readFile(join(dir, `${id}.thumb.jpg`))).equals(Buffer.from(thumbnail))).toBe(true);
    expect(rows[0]!.thumbnail_path).toBe(`${id}.thumb.jpg`);
    expect((await jobs.get(id))?.status).toBe('done');
    expect(await captioned.length()).toBe(0);
    expect([rows[0]!.format, rows[0]!.content_type]).toEqual(['jpeg', 'image/jpeg']);
  });

  test('a thumbnail from an older processor (a WebP, no thumbnail_format) is stored as <id>.thumb.webp and recorded so', async () => {
    const captioned = new StreamQueue(ns.redis, `${ns.k.captioned}:legacy`, 'savers');
    await captioned.ensureGroup();
    const jobs = new JobStore(ns.redis, ns.k, 3600);
    const save = createSaveHandler({ jobs, sql, store: new FileStore(dir), stats: new WorkerStats(ns.k, 'saver-test'), log: silentLog, ...batchDeps() });
    const id = Bun.randomUUIDv7();
    const thumbnail = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
    await command(ns.redis, ['XADD', captioned.key, '*', ...toFields({
      id, description: 'older', received_at: '2026-11-30T10:00:00.000Z', image: new Uint8Array([0xff, 0xd8, 0xff, 1]), width: 640, height: 500, thumbnail,
    })]);
    const [entry] = await captioned.readNew(ns.reader, 's', 1, 100);
    await save(captionedCodec.decode(entry!.fields!), entry!, claimOf(captioned, entry!));
    expect((await readdir(dir)).filter((f) => f.startsWith(id)).sort()).toEqual([`${id}.jpg`, `${id}.thumb.webp`]);
    expect(Buffer.from(await readFile(join(dir, `${id}.thumb.webp`))).equals(Buffer.from(thumbnail))).toBe(true);
    expect((await sql`select thumbnail_path from images where id = ${id}`)[0]!.thumbnail_path).toBe(`${id}.thumb.webp`);
  });

  test('a WebP result is stored as <id>.webp with its format and content type', async () => {
    const captioned = new StreamQueue(ns.redis, `${ns.k.captioned}:webp`, 'savers');
    await captioned.ensureGroup();
    const jobs = new JobStore(ns.redis, ns.k, 3600);
    const save = createSaveHandler({ jobs, sql, store: new FileStore(dir), stats: new WorkerStats(ns.k, 'saver-test'), log: silentLog, ...batchDeps() });
    const id = Bun.randomUUIDv7();
    const image = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
    await command(ns.redis, ['XADD', captioned.key, '*', ...toFields({
      id, description: 'webp', received_at: new Date().toISOString(), image, width: 2, height: 2, format: 'webp',
    })]);
    const [entry] = await captioned.readNew(ns.reader, 's', 1, 100);
    await save(captionedCodec.decode(entry!.fields!), entry!, claimOf(captioned, entry!));
    const [row] = await sql`select path, format, content_type from images where id = ${id}`;
    expect([row!.path, row!.format, row!.content_type]).toEqual([`${id}.webp`, 'webp', 'image/webp']);
    expect(await readdir(dir)).toContain(`${id}.webp`);
  });

  test("the 'saved' log line says where the time went: file, row, ack and total in ms", async () => {
    const captioned = new StreamQueue(ns.redis, `${ns.k.captioned}:timed`, 'savers');
    await captioned.ensureGroup();
    const jobs = new JobStore(ns.redis, ns.k, 3600);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const save = createSaveHandler({ jobs, sql, store: new FileStore(dir), stats: new WorkerStats(ns.k, 'saver-test'), log, ...batchDeps() });
    const id = Bun.randomUUIDv7();
    await command(ns.redis, ['XADD', captioned.key, '*', ...toFields({
      id, description: 'timed', received_at: new Date().toISOString(), image: new Uint8Array([1]), width: 1, height: 1,
    })]);
    const [entry] = await captioned.readNew(ns.reader, 's', 1, 100);
    await save(captionedCodec.decode(entry!.fields!), entry!, claimOf(captioned, entry!));
    const saved = lines.map((l) => JSON.parse(l)).find((e) => e.msg === 'saved');
    const { file, row, ack, total } = saved.timings;
    for (const v of [file, row, ack]) expect(v).toBeGreaterThanOrEqual(0);
    expect(total).toBeCloseTo(file + row + ack, 6);
  });

  test('with PostgreSQL unreachable the entry stays pending and the error asks for a retry', async () => {
    const captioned = new StreamQueue(ns.redis, `${ns.k.captioned}:down`, 'savers');
    await captioned.ensureGroup();
    const jobs = new JobStore(ns.redis, ns.k, 3600);
    const deadSql = postgres('postgres://root@127.0.0.1:1/none', { max: 1, connect_timeout: 1, onnotice: () => {} });
    const save = createSaveHandler({ jobs, sql: deadSql, store: new FileStore(dir), stats: new WorkerStats(ns.k, 'saver-test'), log: silentLog, ...batchDeps() });
    const id = Bun.randomUUIDv7();
    await command(ns.redis, ['XADD', captioned.key, '*', ...toFields({
      id, description: 'x', received_at: new Date().toISOString(), image: new Uint8Array([1]), width: 1, height: 1,
    })]);
    const [entry] = await captioned.readNew(ns.reader, 's', 1, 100);
    const err = await save(captionedCodec.decode(entry!.fields!), entry!, claimOf(captioned, entry!)).catch((e) => e);
    expect(err.name).toBe('DependencyError');
    expect(err.code).toBe('database_unavailable');
    expect(await captioned.length()).toBe(1);
    await deadSql.end();
  });

  test('a message the database refuses (SQLSTATE 22003, out of range) is dead-lettered, its file and thumbnail removed', async () => {
    const captioned = new StreamQueue(ns.redis, `${ns.k.captioned}:refused`, 'savers');
    const imagesDir = join(dir, 'refused');
    const jobs = new JobStore(ns.redis, ns.k, 3600);
    const deadKey = `${ns.k.dead}:refused`;
    const consumer = new StreamConsumer({
      queue: captioned,
      reader: ns.reader,
      consumer: 's',
      log: silentLog,
      decode: captionedCodec.decode,
      handle: createSaveHandler({ jobs, sql, store: new FileStore(imagesDir), stats: new WorkerStats(ns.k, 'saver-test'), log: silentLog, ...batchDeps() }),
      discard: (fields) => discardSaved(sql, new FileStore(imagesDir), fields),
      onDeadLetter: (jobId, error) => failJobCommands(jobs, jobId, error),
      deadKey,
      maxDeliveries: 3,
      reclaimIdleMs: 60_000,
      blockMs: 50,
    });
    const id = Bun.randomUUIDv7();
    await jobs.set(id, 'saving');
    await captioned.ensureGroup();
    // The schema takes any positive width; the images table's integer column does not.
    await command(ns.redis, ['XADD', captioned.key, '*', ...toFields({
      id, description: 'too wide', received_at: new Date().toISOString(), image: new Uint8Array([0xff, 0xd8, 0xff, 1]), width: 3_000_000_000, height: 1,
      thumbnail: new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '),
    })]);
    void consumer.start();
    await until('the job failed', async () => (await jobs.get(id))?.status === 'failed', 10_000, { intervalMs: 20 });
    await consumer.stop();
    const job = await jobs.get(id);
    expect(job?.error?.code).toBe('invalid_message');
    expect(job?.error?.message).toContain('SQLSTATE 22003');
    expect(await readdir(imagesDir)).toEqual([]);
    expect((await sql`select id from images where id = ${id}`).length).toBe(0);
    expect(await captioned.length()).toBe(0);
  });
});
