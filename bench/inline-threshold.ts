/**
 * What the claim check costs against inline payloads, per payload size, so
 * that INLINE_MAX_BYTES's default is chosen from a measurement (README
 * "Claim check"). One payload at a time, on the local Redis and an s3rver of
 * its own (the test suite's S3 server), through kadr's own store and registry:
 *
 *   inline     XADD with the bytes, XREADGROUP, XACK + XDEL in one MULTI
 *   reference  the registry's ZADD (Redis TIME) and a PUT, XADD with the key,
 *              XREADGROUP, a GET, XACK + XDEL, then DELETE and ZREM
 *
 * plus what Redis holds per waiting job each way (MEMORY USAGE of a stream
 * of 50 such entries against an empty one, per entry). Usage: bun bench/inline-threshold.ts [iterations] [--aof]
 * (REDIS_URL as for kadr; its keys go under a fresh prefix, removed after).
 * `--aof` measures on a redis-server of its own with compose.yml's
 * persistence instead (appendonly yes, appendfsync always), where every
 * write of the bytes also reaches the disk.
 */
import { loadConfig } from '../shared/config.ts';
import { command, connectRedis, type Redis } from '../shared/redis.ts';
import { ClaimCheck } from '../shared/storage/claim-check.ts';
import { ObjectRegistry } from '../shared/storage/registry.ts';
import { S3Store } from '../shared/storage/s3-store.ts';
import { RedisServer } from '../tests/support/redis-server.ts';
import { S3Server } from '../tests/support/s3-server.ts';
import { parseReadGroup } from '../shared/queue/reply.ts';
import pino from 'pino';

const KiB = 1024;
const SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096].map((k) => k * KiB);
const args = process.argv.slice(2);
const aof = args.includes('--aof');
const iterations = Number(args.find((a) => /^\d+$/.test(a)) ?? 40);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function readOne(redis: Redis, stream: string): Promise<string> {
  return parseReadGroup(await command(redis, ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', stream, '>']))[0]!.id;
}

async function inline(redis: Redis, stream: string, bytes: Uint8Array): Promise<void> {
  await command(redis, ['XADD', stream, '*', 'id', 'x', 'image', Buffer.from(bytes)]);
  const entryId = await readOne(redis, stream);
  await redis.multi().addCommand(['XACK', stream, 'g', entryId] as never).addCommand(['XDEL', stream, entryId] as never).exec();
}

async function byReference(redis: Redis, stream: string, claims: ClaimCheck, key: string, bytes: Uint8Array): Promise<void> {
  await claims.deposit(key, bytes, 'image/jpeg');
  await command(redis, ['XADD', stream, '*', 'id', 'x', 'image_key', key]);
  const entryId = await readOne(redis, stream);
  await claims.collect(key, 'x');
  await redis.multi().addCommand(['XACK', stream, 'g', entryId] as never).addCommand(['XDEL', stream, entryId] as never).exec();
  await claims.discard(key);
}

const HELD_ENTRIES = 50;

/** Bytes Redis holds per waiting entry: a stream of HELD_ENTRIES such entries against an empty one, divided. */
async function heldBytes(redis: Redis, stream: string, fields: Array<string | Buffer>): Promise<number> {
  const usage = async () => Number(await command(redis, ['MEMORY', 'USAGE', stream, 'SAMPLES', '0']));
  await command(redis, ['DEL', stream]);
  await command(redis, ['XADD', stream, '*', 'id', 'x']);
  await command(redis, ['XTRIM', stream, 'MAXLEN', '0']);
  const empty = await usage();
  for (let i = 0; i < HELD_ENTRIES; i++) await command(redis, ['XADD', stream, '*', ...fields]);
  const full = await usage();
  await command(redis, ['DEL', stream]);
  return Math.round((full - empty) / HELD_ENTRIES);
}

async function main() {
  const own = aof ? await RedisServer.start() : undefined;
  const redis = await connectRedis(own?.url ?? loadConfig().redisUrl, pino({ level: 'silent' }));
  const prefix = `bench-inline-${Math.random().toString(36).slice(2, 8)}:`;
  const s3 = await S3Server.start();
  const claims = new ClaimCheck(new S3Store(s3.storage()), new ObjectRegistry(redis, `${prefix}objects`), 0);
  const rows: string[] = [];
  try {
    for (const size of SIZES) {
      const stream = `${prefix}stream:${size}`;
      await command(redis, ['XGROUP', 'CREATE', stream, 'g', '0', 'MKSTREAM']);
      const bytes = crypto.getRandomValues(new Uint8Array(size > 65_536 ? 65_536 : size));
      const payload = new Uint8Array(size);
      for (let o = 0; o < size; o += bytes.length) payload.set(bytes.subarray(0, Math.min(bytes.length, size - o)), o);
      const inlineMs: number[] = [];
      const refMs: number[] = [];
      // Alternate, so drift in machine load hits both alike; the first rounds warm up.
      for (let i = -3; i < iterations; i++) {
        let t = performance.now();
        await inline(redis, stream, payload);
        if (i >= 0) inlineMs.push(performance.now() - t);
        t = performance.now();
        await byReference(redis, stream, claims, `incoming/bench-${size}-${i + 3}`, payload);
        if (i >= 0) refMs.push(performance.now() - t);
      }
      const heldInline = await heldBytes(redis, `${stream}:held`, ['id', 'x', 'image', Buffer.from(payload)]);
      const heldRef = await heldBytes(redis, `${stream}:held`, ['id', 'x', 'image_key', 'incoming/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b']);
      await command(redis, ['DEL', stream]);
      const [mi, mr] = [median(inlineMs), median(refMs)];
      rows.push(
        `| ${size / KiB} KiB | ${mi.toFixed(1)} | ${mr.toFixed(1)} | ${(mr - mi).toFixed(1)} | ${(heldInline / KiB).toFixed(1)} KiB | ${heldRef} B | ${((mr - mi) / ((heldInline - heldRef) / (KiB * KiB))).toFixed(0)} |`,
      );
      console.error(rows.at(-1));
    }
  } finally {
    await command(redis, ['DEL', `${prefix}objects`]).catch(() => {});
    await redis.close().catch(() => {});
    await s3.stop();
    await own?.destroy();
  }
  console.log(`${iterations} payloads per size, one at a time, Redis ${aof ? 'with appendfsync always' : 'as configured at REDIS_URL'}; median ms per payload`);
  console.log('| payload | inline ms | by reference ms | extra ms | Redis holds per waiting job, inline | by reference | extra ms per MiB of Redis saved |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
