import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { connectDb, type Sql } from '../../shared/db.ts';
import { JobStore, type JobStatus } from '../../shared/jobs.ts';
import { migrateUp } from '../../shared/migrate.ts';
import { command, text } from '../../shared/redis.ts';
import { ClaimCheck } from '../../shared/storage/claim-check.ts';
import { incomingKey, resultKey } from '../../shared/storage/object-keys.ts';
import { ObjectRegistry } from '../../shared/storage/registry.ts';
import { S3Store } from '../../shared/storage/s3-store.ts';
import { insertImage } from '../../saver/images-table.ts';
import { sweepOrphans } from '../../saver/orphan-sweep.ts';
import { createTestDatabase } from '../support/namespace.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';
import { S3Server } from '../support/s3-server.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: Sql;
let ns: Awaited<ReturnType<typeof redisNamespace>>;
let s3: S3Server;
let claims: ClaimCheck;
let jobs: JobStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrateUp(db.url, silentLog);
  sql = await connectDb(db.url);
  ns = await redisNamespace();
  s3 = await S3Server.start();
  claims = new ClaimCheck(new S3Store(s3.storage()), new ObjectRegistry(ns.redis, ns.k.objects), 1024);
  jobs = new JobStore(ns.redis, ns.k, 3600);
}, 30_000);
afterAll(async () => {
  await sql?.end();
  await db?.drop();
  await ns?.cleanup();
  await s3?.stop();
});

const BYTES = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);

async function written(key: string): Promise<string> {
  await claims.deposit(key, BYTES, 'image/jpeg');
  return key;
}

const registered = async () => ((await command(ns.redis, ['ZRANGE', ns.k.objects, '0', '-1'])) as Buffer[]).map(text).sort();
const exists = async (key: string) => (await claims.store.head(key)) !== null;

describe('the orphan sweep', () => {
  test('registers keys by Redis\' clock', async () => {
    const key = await written(incomingKey(crypto.randomUUID()));
    const [seconds] = ((await command(ns.redis, ['TIME'])) as Buffer[]).map((b) => Number(text(b)));
    const score = Number(text(await command(ns.redis, ['ZSCORE', ns.k.objects, key])));
    expect(Math.abs(score - seconds!)).toBeLessThan(5);
    await claims.discard(key);
    expect(await registered()).toEqual([]);
    expect(await exists(key)).toBe(false);
  });

  test('keeps what live jobs need, forgets what rows own, deletes the rest once it is old enough, even with two sweepers at once', async () => {
    const job = async (status: JobStatus | undefined) => {
      const id = crypto.randomUUID();
      if (status) await jobs.set(id, status);
      return id;
    };
    const queued = await written(incomingKey(await job('queued')));
    const processing = await written(incomingKey(await job('processing')));
    const failed = await written(incomingKey(await job('failed')));
    const saving = await written(resultKey(await job('saving')));
    const doneUpload = await written(incomingKey(await job('done')));
    const ownedId = await job('done');
    const owned = await written(resultKey(ownedId));
    await insertImage(sql, {
      id: ownedId, received_at: new Date().toISOString(), description: 'owned', path: owned, width: 1, height: 1,
      bytes: BYTES.byteLength, format: 'jpeg', content_type: 'image/jpeg', batch_id: null,
    });
    // Its row expired with its status long ago, or it was never enqueued: nobody needs it.
    const neverQueued = await written(incomingKey(await job(undefined)));
    await Bun.sleep(1100);
    const young = await written(incomingKey(await job(undefined)));

    const deps = { claims, jobs, ageSeconds: 1 };
    const [a, b] = await Promise.all([sweepOrphans(deps, sql, 2), sweepOrphans(deps, sql, 2)]);
    expect(new Set([...a.deleted, ...b.deleted])).toEqual(new Set([doneUpload, neverQueued]));

    for (const key of [queued, processing, failed, saving, owned, young]) expect({ key, exists: await exists(key) }).toEqual({ key, exists: true });
    for (const key of [doneUpload, neverQueued]) expect({ key, exists: await exists(key) }).toEqual({ key, exists: false });
    expect(await registered()).toEqual([queued, processing, failed, saving, young].sort());
  });
});
