import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { connectRedis, command, text, type Redis } from '../../shared/redis.ts';
import { keys, type Keys } from '../../shared/queue/keys.ts';
import { incomingKey } from '../../shared/storage/object-keys.ts';
import { expectNothingLost } from '../support/nothing-lost.ts';
import { RedisServer } from '../support/redis-server.ts';
import { silentLog } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { freePort } from '../support/ports.ts';
import { until } from '../support/wait.ts';

/**
 * The claim check end to end, on the real services with an S3 server (s3rver)
 * and a Redis of this file's own (one test makes it refuse writes). The tests
 * run in order on one system: the first ones need no processor running.
 */

// Below the 370 KB photo and its processed results, above the 64x64 one's.
const INLINE_MAX_BYTES = 16 * 1024;
const ORPHAN_AGE_SECONDS = 1;
const SWEEP_INTERVAL_MS = 200;

const COFFEE = new URL('../fixtures/coffee-1920x1280.jpg', import.meta.url);

let redisServer: RedisServer;
let system: TestSystem;
let redis: Redis;
let k: Keys;
/** Every accepted id and its description, for the final nothing-lost check. */
const accepted = new Map<string, string>();

beforeAll(async () => {
  redisServer = await RedisServer.start();
  system = await TestSystem.start({
    storage: 's3',
    processors: 0,
    env: {
      REDIS_URL: redisServer.url,
      INLINE_MAX_BYTES: String(INLINE_MAX_BYTES),
      ORPHAN_AGE_SECONDS: String(ORPHAN_AGE_SECONDS),
      SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
    },
  });
  redis = await connectRedis(redisServer.url, silentLog);
  k = keys(system.env.KEY_PREFIX!);
}, 60_000);

afterAll(async () => {
  for (const s of system?.services ?? []) if (s.proc.exitCode === null) s.proc.kill('SIGCONT');
  await redis?.close().catch(() => {});
  await system?.stop();
  await redisServer?.destroy();
}, 30_000);

const coffee = async () => new Uint8Array(await Bun.file(COFFEE).arrayBuffer());
const tiny = () => sharp({ create: { width: 64, height: 64, channels: 3, background: '#8a5' } }).jpeg().toBuffer();

function post(image: Uint8Array, description: string, operations?: unknown[]): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob([image as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'photo.jpg');
  form.append('description', description);
  if (operations) form.append('operations', JSON.stringify(operations));
  return fetch(`${system.baseUrl}/api/images`, { method: 'POST', body: form });
}

async function accept(image: Uint8Array, description: string, operations?: unknown[]): Promise<string> {
  const res = await post(image, description, operations);
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  accepted.set(id, description);
  return id;
}

type Fields = Map<string, Buffer>;

async function entries(stream: string): Promise<Array<{ id: string; fields: Fields }>> {
  const raw = (await command(redis, ['XRANGE', stream, '-', '+'])) as Array<[Buffer, Buffer[]]>;
  return raw.map(([id, pairs]) => {
    const fields: Fields = new Map();
    for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(text(pairs[i]), pairs[i + 1]!);
    return { id: text(id), fields };
  });
}

async function entryOf(stream: string, jobId: string): Promise<Fields | undefined> {
  return (await entries(stream)).find((e) => e.fields.get('id')?.toString() === jobId)?.fields;
}

const registered = async () => ((await command(redis, ['ZRANGE', k.objects, '0', '-1'])) as Buffer[]).map(text);
const exists = async (key: string) => (await system.store().head(key)) !== null;
const status = async (id: string) => {
  const s = await command(redis, ['HGET', k.job(id), 'status']);
  return s == null ? null : text(s);
};

/** The JSON log lines of `name`'s current incarnation that have this `msg` and mention `id`. */
function logLines(name: string, msg: string, id: string): string[] {
  return system.service(name).output.join('').split('\n').filter((l) => l.includes(`"msg":"${msg}"`) && l.includes(id));
}

/**
 * The saver's `saved` lines of a job, once there is one: the saver logs after
 * the hand-over that makes the job `done` (and, for a batch's last job, after
 * completing the batch), so the line can trail the status by a moment.
 */
async function savedLines(id: string): Promise<string[]> {
  await until(`the saver's log line for ${id}`, () => logLines('saver', 'saved', id).length > 0, 5_000);
  return logLines('saver', 'saved', id);
}

async function startProcessor(name: string): Promise<void> {
  system.spawn('processor', name);
  await system.waitForLog(name, 'processor started', 20_000);
}

describe('the claim check with the S3 store', () => {
  let large: string;
  let small: string;

  test('while queued, an upload above INLINE_MAX_BYTES waits in the store with only its key in the stream; a small one stays inline', async () => {
    large = await accept(await coffee(), 'coffee by reference');
    small = await accept(await tiny(), 'tiny inline');

    const ref = (await entryOf(k.uploads, large))!;
    expect(ref.has('image')).toBe(false);
    expect(ref.get('image_key')?.toString()).toBe(incomingKey(large));
    expect(await exists(incomingKey(large))).toBe(true);
    expect((await system.store().head(incomingKey(large)))!.size).toBe((await coffee()).byteLength);
    expect(await registered()).toEqual([incomingKey(large)]);

    const inline = (await entryOf(k.uploads, small))!;
    expect(inline.has('image_key')).toBe(false);
    expect(inline.get('image')!.byteLength).toBe((await tiny()).byteLength);
    expect(await exists(incomingKey(small))).toBe(false);
  });

  test('an upload whose enqueue Redis refused after its object was written leaves an orphan that the sweep deletes, while the queued job keeps its object through every sweep', async () => {
    const before = await registered();
    // Hold the PUT unanswered, so that Redis can be made to refuse writes between the PUT and the MULTI.
    system.s3!.pause();
    let answer: Promise<Response>;
    try {
      answer = post(await coffee(), 'refused after the PUT');
      await until('the upload registered before its PUT', async () => (await registered()).length > before.length, 10_000);
      await command(redis, ['CONFIG', 'SET', 'min-replicas-to-write', '1']);
    } finally {
      system.s3!.resume();
    }
    let res: Response;
    try {
      res = await answer;
    } finally {
      await command(redis, ['CONFIG', 'SET', 'min-replicas-to-write', '0']);
    }
    expect(res.status).toBeGreaterThanOrEqual(500);
    const [orphan] = (await registered()).filter((key) => !before.includes(key));
    expect(orphan).toMatch(/^incoming\//);
    // The PUT completed: the object was written, and no job was queued for it.
    expect(await exists(orphan!)).toBe(true);
    expect(await status(orphan!.slice('incoming/'.length))).toBeNull();
    expect(await entries(k.uploads)).toHaveLength(2);

    // The saver logs the sweep after deleting: wait for the line too, not only the object's absence.
    await until('the orphan swept', async () => !(await exists(orphan!)) && !(await registered()).includes(orphan!) && system.logCount('saver', 'swept orphaned objects') >= 1, 15_000, {
      explain: () => system.service('saver').output.join('').slice(-2000),
    });
    expect(system.logCount('saver', 'swept orphaned objects')).toBeGreaterThanOrEqual(1);
    // Several more sweeps, each older than the orphan age: the queued job's object is still there.
    await Bun.sleep(ORPHAN_AGE_SECONDS * 1000 + 5 * SWEEP_INTERVAL_MS);
    expect(await exists(incomingKey(large))).toBe(true);
    expect(await registered()).toEqual([incomingKey(large)]);
    expect(await status(large)).toBe('queued');
  }, 30_000);

  test('once processed, the result travels by reference too and becomes the row\'s object; no upload is left in the store', async () => {
    await startProcessor('processor-1');
    expect((await system.waitForJob(large)).status).toBe('done');
    expect((await system.waitForJob(small)).status).toBe('done');
    const res = await fetch(`${system.baseUrl}/api/images/${large}`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect((await sharp(bytes).metadata()).width).toBe(1920);
    expect(await savedLines(large)).toEqual([expect.stringContaining('"byReference":true')]);
    expect(await savedLines(small)).toEqual([expect.stringContaining('"byReference":false')]);
    await until('the processed upload deleted', async () => !(await exists(incomingKey(large))), 5_000);
    expect(await system.s3!.keys('incoming/')).toEqual([]);
  }, 60_000);

  test('a by-reference job that fails for good is dead-lettered with its reference, not its bytes; a retry re-adds the reference and a discard deletes the object', async () => {
    const id = await accept(await coffee(), 'a crop outside the photo', [{ op: 'crop', left: 1900, top: 0, width: 100, height: 100 }]);
    const final = await system.waitForJob(id);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'operation_failed' } });
    const [letter] = (await entries(k.dead)).filter((e) => e.fields.get('id')?.toString() === id);
    expect(letter!.fields.has('image')).toBe(false);
    expect(letter!.fields.get('image_key')?.toString()).toBe(incomingKey(id));
    const size = [...letter!.fields].reduce((n, [name, value]) => n + name.length + value.byteLength, 0);
    expect(size).toBeLessThan(2048);
    // A dead letter may be retried, so its upload stays, and the orphan sweep keeps it.
    await Bun.sleep(ORPHAN_AGE_SECONDS * 1000 + 3 * SWEEP_INTERVAL_MS);
    expect(await exists(incomingKey(id))).toBe(true);

    const admin = `${system.baseUrl}/api/admin/dead/${letter!.id}`;
    // Without ADMIN_TOKEN, an admin POST from loopback must be JSON (a cross-site form cannot send that).
    expect((await fetch(`${admin}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBeLessThan(300);
    await until('failed again after the retry', async () => (await entries(k.dead)).some((e) => e.id !== letter!.id && e.fields.get('id')?.toString() === id), 30_000);
    const [again] = (await entries(k.dead)).filter((e) => e.fields.get('id')?.toString() === id);
    expect(again!.fields.get('image_key')?.toString()).toBe(incomingKey(id));
    expect(again!.fields.has('image')).toBe(false);
    expect(await exists(incomingKey(id))).toBe(true);

    expect((await fetch(`${system.baseUrl}/api/admin/dead/${again!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await exists(incomingKey(id))).toBe(false);
    expect(await registered()).not.toContain(incomingKey(id));
    accepted.delete(id); // discarded: its dead letter is gone by design
  }, 60_000);

  test('an upload whose object is gone from the store fails at once with source_missing', async () => {
    await system.signal('processor-1', 'SIGTERM');
    const id = await accept(await coffee(), 'lost before processing');
    await system.store().delete(incomingKey(id));
    await system.restart('processor-1');
    expect(await system.waitForJob(id)).toMatchObject({ status: 'failed', error: { code: 'source_missing' } });
    const [letter] = (await entries(k.dead)).filter((e) => e.fields.get('id')?.toString() === id);
    expect(letter!.fields.get('error_code')?.toString()).toBe('source_missing');
  }, 60_000);

  test('a job processed twice (its processor frozen past the reclaim time, then thawed) leaves one result object and one row', async () => {
    // Slow enough steps that the processor is surely caught in the middle of them.
    const slow = Array.from({ length: 8 }, () => ({ op: 'blur', sigma: 100 }));
    const id = await accept(await coffee(), 'processed twice', slow);
    await until('processing', async () => (await status(id)) === 'processing', 20_000, { intervalMs: 10 });
    const first = system.service('processor-1');
    first.proc.kill('SIGSTOP');
    try {
      await startProcessor('processor-2');
      expect((await system.waitForJob(id, 60_000)).status).toBe('done');
      expect(await system.s3!.keys(id)).toEqual([`${id}.jpg`, `${id}.thumb.jpg`]);
    } finally {
      first.proc.kill('SIGCONT');
    }
    // The thawed processor finds its claim lost: it stops at its next step, or
    // its hand-over is refused; either way it adds nothing, and the one saved
    // object stays the only one.
    const late = () => ['stopped processing: the entry was reclaimed by another processor', 'hand-over refused: the entry was reclaimed by another consumer']
      .reduce((n, msg) => n + logLines('processor-1', msg, id).length, 0);
    await until('the late copy given up', () => late() === 1, 60_000);
    expect(logLines('processor-1', 'processed', id)).toEqual([]);
    expect(await savedLines(id)).toHaveLength(1);
    expect(await system.s3!.keys(id)).toEqual([`${id}.jpg`, `${id}.thumb.jpg`]);
  }, 120_000);

  test('a batch sends its large photos by reference and its small ones inline, and all end done', async () => {
    const form = new FormData();
    for (const image of [await coffee(), await tiny(), await coffee()]) form.append('image', new Blob([image as Uint8Array<ArrayBuffer>]), 'photo.jpg');
    form.append('description', 'a batch by reference');
    const res = await fetch(`${system.baseUrl}/api/batches`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id: batchId } = (await res.json()) as { id: string };
    const snapshot = (await (await fetch(`${system.baseUrl}/api/batches/${batchId}`)).json()) as { jobs: Array<{ id: string }> };
    const jobIds = snapshot.jobs.map((j) => j.id);
    for (const id of jobIds) {
      accepted.set(id, 'a batch by reference');
      expect((await system.waitForJob(id)).status).toBe('done');
    }
    const byReference = await Promise.all(jobIds.map(async (id) => (await savedLines(id))[0]?.includes('"byReference":true')));
    expect(byReference).toEqual([true, false, true]);
  }, 60_000);

  test('when the store does not answer, a large upload gets 503 storage_unavailable and nothing is queued; a small one is still accepted', async () => {
    // A second API whose store is a port where nothing listens.
    const port = await freePort();
    const broken = system.spawn('api', 'api-broken-store', { PORT: String(port), S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    await system.waitForLog(broken.name, 'api listening', 20_000);
    const before = await registered();
    const jobKeys = async () => ((await command(redis, ['KEYS', `${k.job('*')}`])) as Buffer[]).length;
    const jobsBefore = await jobKeys();
    const form = new FormData();
    form.append('image', new Blob([(await coffee()) as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('description', 'the store is away');
    const res = await fetch(`http://127.0.0.1:${port}/api/images`, { method: 'POST', body: form });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable');
    expect(await jobKeys()).toBe(jobsBefore);
    expect(await entries(k.uploads)).toEqual([]);
    // Registered before its PUT, so the orphan sweep takes its key out again (there is no object to delete).
    await until('the failed upload\'s key swept', async () => (await registered()).length === before.length, 10_000);

    const small = new FormData();
    small.append('image', new Blob([(await tiny()) as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'tiny.jpg');
    small.append('description', 'inline needs no store');
    const ok = await fetch(`http://127.0.0.1:${port}/api/images`, { method: 'POST', body: small });
    expect(ok.status).toBe(202);
    const { id } = (await ok.json()) as { id: string };
    accepted.set(id, 'inline needs no store');
    expect((await system.waitForJob(id)).status).toBe('done');
    await system.signal(broken.name, 'SIGTERM');
  }, 60_000);

  test('nothing is lost, in rows, statuses, streams, the store and the registry', async () => {
    await expectNothingLost(system, accepted);
  }, 60_000);
});
