import { fieldsCost } from '../../shared/queue/stream-bytes.ts';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import sharp from 'sharp';
import { JobStore } from '../../shared/jobs.ts';
import { captionedCodec, toFields, uploadCodec, type UploadMessage } from '../../shared/messages.ts';
import { StreamConsumer } from '../../shared/queue/consumer.ts';
import { failJobCommands } from '../../shared/queue/fail-job.ts';
import { GROUPS, keys, type Keys } from '../../shared/queue/keys.ts';
import { Claim } from '../../shared/queue/claim.ts';
import { pairsToFields, type Entry } from '../../shared/queue/reply.ts';
import { StreamQueue } from '../../shared/queue/stream.ts';
import { command, connectRedis, text, type Redis } from '../../shared/redis.ts';
import { createCaptionRenderer, type CaptionRenderer } from '../../processor/caption/renderer.ts';
import { createPipeline, type Pipeline } from '../../processor/pipeline.ts';
import { createProcessHandler } from '../../processor/handle.ts';
import { createSourceFetcher, type SourceFetcher } from '../../processor/fetch-source.ts';
import { createGuardedFetch } from '../../shared/net/guarded-fetch.ts';
import { createSsrfGuard } from '../../shared/net/ssrf-guard.ts';
import { TEST_REDIS_URL } from '../support/namespace.ts';
import { TEST_CAPTION_OPTIONS } from '../support/operations.ts';
import { measureBand } from '../support/pixels.ts';
import { redisNamespace, silentLog } from '../support/redis.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { WorkerStats } from '../../shared/stats/worker-stats.ts';
import { until } from '../support/wait.ts';

const ROOT = join(import.meta.dir, '../..');

const OPTIONS = TEST_CAPTION_OPTIONS;

let ns: Awaited<ReturnType<typeof redisNamespace>>;
let renderer: CaptionRenderer;
let pipeline: Pipeline;
let cat: Uint8Array;
beforeAll(async () => {
  ns = await redisNamespace();
  renderer = await createCaptionRenderer(OPTIONS);
  pipeline = createPipeline(OPTIONS, renderer.drawing);
  cat = await Bun.file(join(ROOT, 'tests/fixtures/cat-640x480.jpg')).bytes();
});
afterAll(() => ns.cleanup());

// Images by URL come from this server; the guard lets loopback and its port through, as FETCH_ALLOW_* would.
const source = ScriptedSource.start();
const { served, answers } = source;
afterAll(() => source.stop());
const sourceFetcher = createSourceFetcher(
  createGuardedFetch(createSsrfGuard({ allowNetworks: ['127.0.0.1/32'], allowPorts: [source.port] })),
  { timeoutMs: 5000, maxRedirects: 2, maxBytes: 10 * 1024 * 1024, maxPixels: 50_000_000 },
);

let n = 0;
/** The processor's real parts on keys of their own, so tests never see each other's entries. */
function freshProcessor(parts: { renderer?: CaptionRenderer; pipeline?: Pipeline; fetchSource?: SourceFetcher } = {}) {
  const k: Keys = keys(`${ns.prefix}${++n}:`);
  const uploads = new StreamQueue(ns.redis, k.uploads, GROUPS.processors);
  const jobs = new JobStore(ns.redis, k, 3600);
  const handle = createProcessHandler({
    captionedKey: k.captioned, jobs, renderer: parts.renderer ?? renderer, pipeline: parts.pipeline ?? pipeline,
    stats: new WorkerStats(k, 'processor-test'), fetchSource: parts.fetchSource ?? sourceFetcher, log: silentLog,
  });
  return { k, uploads, jobs, handle };
}

/** What the API does on upload: the job is queued and the message goes on the uploads stream. */
async function upload(p: ReturnType<typeof freshProcessor>, image: Uint8Array, description = 'A cat on a windowsill', operations?: string) {
  const id = crypto.randomUUID();
  await p.jobs.set(id, 'queued');
  await command(ns.redis, ['XADD', p.k.uploads, '*', ...toFields({ id, description, received_at: new Date().toISOString(), image, operations })]);
  return id;
}

/** What the API does for an image given by URL: the message carries source_url instead of bytes. */
async function uploadByUrl(p: ReturnType<typeof freshProcessor>, path: string) {
  const id = crypto.randomUUID();
  await p.jobs.set(id, 'queued');
  const source_url = source.url(path);
  await command(ns.redis, ['XADD', p.k.uploads, '*', ...toFields({ id, description: 'fetched', received_at: new Date().toISOString(), source_url })]);
  return id;
}

async function entries(key: string) {
  const raw = (await command(ns.redis, ['XRANGE', key, '-', '+'])) as Array<[Buffer, Buffer[]]>;
  return raw.map(([, pairs]) => pairsToFields(pairs));
}

async function pendingCount(q: StreamQueue): Promise<number> {
  const summary = (await command(ns.redis, ['XPENDING', q.key, q.group])) as [number, ...unknown[]];
  return Number(summary[0]);
}


interface Sent {
  name: string;
  key: string;
  line: string;
  lua: boolean;
}

/** A claim as the consumer holds it, renewed too rarely to matter in these tests. */
const claimOf = (q: StreamQueue, entry: Entry) => new Claim(q, 'processor-1', entry.id, 60_000, silentLog, entry.fields ? fieldsCost(entry.fields) : 0);

/**
 * Records, through MONITOR, every command Redis executes for the connection
 * `client`, and those its scripts run on this test file's keys (marked `lua`).
 */
async function watchCommands(client: Redis) {
  const info = text(await command(client, ['CLIENT', 'INFO']));
  const addr = /\baddr=(\S+)/.exec(info)![1]!;
  const monitor = await connectRedis(TEST_REDIS_URL, silentLog);
  const sent: Sent[] = [];
  await monitor.monitor((reply: unknown) => {
    const line = text(reply);
    const fromLua = line.includes(' lua] ') && line.includes(`"${ns.prefix}`);
    if (!line.includes(` ${addr}] `) && !fromLua) return;
    // Only the command name and first key are needed; the image argument can be long.
    const args = line.matchAll(/"((?:[^"\\]|\\.)*)"/g);
    const name = (args.next().value?.[1] ?? '').toUpperCase();
    if (name === 'EVAL') {
      // A script (the job status): its body, then the key count, then the key.
      const body = args.next().value!;
      args.next();
      const key = args.next().value?.[1] ?? '';
      sent.push({ name, key, line: line.slice(body.index! + body[0].length, body.index! + body[0].length + 600), lua: fromLua });
      return;
    }
    const key = args.next().value?.[1] ?? '';
    sent.push({ name: name.toUpperCase(), key, line: line.slice(0, 300), lua: fromLua });
  });
  return { sent, close: () => monitor.close() };
}

function consumer(p: ReturnType<typeof freshProcessor>, name: string, reclaimIdleMs = 5000) {
  return new StreamConsumer<UploadMessage>({
    queue: p.uploads,
    reader: ns.reader,
    consumer: name,
    log: silentLog,
    decode: uploadCodec.decode,
    handle: p.handle,
    onDeadLetter: (jobId, error) => failJobCommands(p.jobs, jobId, error),
    deadKey: p.k.dead,
    maxDeliveries: 3,
    reclaimIdleMs,
    blockMs: 50,
  });
}

describe('processor on real Redis', () => {
  test('hands a captioned photo to the saver: next stream, ack, delete and status at once, in one ownership-checked script', async () => {
    const p = freshProcessor();
    await p.uploads.ensureGroup();
    const id = await upload(p, cat);
    const [entry] = await p.uploads.readNew(ns.reader, 'processor-1', 1, 100);
    expect(await pendingCount(p.uploads)).toBe(1);

    const watch = await watchCommands(ns.redis);
    try {
      await p.handle(uploadCodec.decode(entry!.fields!), entry!, claimOf(p.uploads, entry!));
      await until('the hand-over ran', () => watch.sent.some((c) => c.name === 'XDEL'), 5000, { intervalMs: 20 });
    } finally {
      await watch.close();
    }

    // Everything the handler changed in Redis went through transactions or
    // scripts; the hand-off is one script that checks ownership first and
    // then holds all four effects.
    const blocks: Sent[][] = [];
    let open: Sent[] | undefined;
    let script = false;
    for (const c of watch.sent) {
      if (script && !c.lua) open = undefined; // a script's commands end with the next command sent
      script = c.name === 'EVALSHA' || c.name === 'EVAL';
      if (c.name === 'MULTI' || script) {
        blocks.push((open = []));
      } else if (c.name === 'EXEC') {
        open = undefined;
      } else {
        expect(open).toBeDefined(); // no command outside a MULTI or a script
        open!.push(c);
      }
      if (c.lua) script = true;
    }
    const handOff = blocks.find((b) => b.some((c) => c.name === 'XADD'))!;
    expect(handOff[0]!.name).toBe('XPENDING');
    handOff.shift();
    expect(handOff.slice(0, 7).map((c) => [c.name, c.key])).toEqual([
      ['XADD', p.k.captioned],
      // The result charged to stream 2's byte counter, with its XADD.
      ['INCRBY', `${p.k.captioned}:bytes`],
      ['HGET', p.k.job(id)],
      ['HINCRBY', p.k.job(id)],
      ['HSET', p.k.job(id)],
      ['EXPIRE', p.k.job(id)],
      ['PUBLISH', p.k.events],
    ]);
    // The upload uncharged from stream 1's counter with its XDEL; then the counter healed if the stream is empty.
    const acked = handOff.findIndex((c) => c.name === 'XACK');
    expect(handOff.slice(acked, acked + 4).map((c) => [c.name, c.key])).toEqual([
      ['XACK', p.k.uploads],
      ['XDEL', p.k.uploads],
      ['DECRBY', `${p.k.uploads}:bytes`],
      ['XLEN', p.k.uploads],
    ]);
    handOff.splice(acked + 2);
    handOff.splice(1, 1);
    handOff.splice(1, 2); // the status check and its version
    expect(handOff[1]!.line).toContain('"status" "saving"');
    expect(handOff[3]!.line).toContain('saving');
    // The rest counts the work for the dashboard, in the same script.
    for (const c of handOff.slice(4, -2)) expect(c.key.startsWith(p.k.stats) || c.key === p.k.worker('processor-test')).toBe(true);
    expect(handOff.length).toBeGreaterThan(6);
    expect(blocks.filter((b) => b.some((c) => c.name === 'XADD'))).toHaveLength(1);

    const captioned = await entries(p.k.captioned);
    expect(captioned).toHaveLength(1);
    const msg = captionedCodec.decode(captioned[0]!);
    expect(msg.id).toBe(id);
    expect(msg.description).toBe('A cat on a windowsill');
    const meta = await sharp(msg.image).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([msg.width, msg.height]);
    expect(msg.width).toBe(640);
    const band = await measureBand(msg.image!, 480);
    expect(msg.height - 480).toBeGreaterThanOrEqual(28);
    expect(msg.height - 480).toBeLessThanOrEqual(36);
    expect(band.darkShare).toBeGreaterThan(0.9);
    expect(band.whitePixels).toBeGreaterThan(50);

    expect(await pendingCount(p.uploads)).toBe(0);
    expect(await p.uploads.length()).toBe(0);
    expect((await p.jobs.get(id))?.status).toBe('saving');
  });

  test('a non-image upload ends in the dead-letter stream, its job failed as image_undecodable', async () => {
    const p = freshProcessor();
    const id = await upload(p, new TextEncoder().encode('%PDF-1.7 certainly not a photo'), 'A document');
    const c = consumer(p, 'processor-1');
    void c.start();
    await until('the job marked failed', async () => (await p.jobs.get(id))?.status === 'failed', 10000, { intervalMs: 20 });
    await c.stop();

    const job = await p.jobs.get(id);
    expect(job?.error?.code).toBe('image_undecodable');
    const dead = await entries(p.k.dead);
    expect(dead).toHaveLength(1);
    expect(text(dead[0]!.error_code)).toBe('image_undecodable');
    expect(text(dead[0]!.source)).toBe(p.k.uploads);
    expect(text(dead[0]!.id)).toBe(id);
    expect(await entries(p.k.captioned)).toEqual([]);
    expect(await pendingCount(p.uploads)).toBe(0);
    expect(await p.uploads.length()).toBe(0);
  });

  test('a consumer keeps going after a bad upload: the next photo is captioned', async () => {
    const p = freshProcessor();
    const bad = await upload(p, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'Broken JPEG');
    const good = await upload(p, cat);
    const c = consumer(p, 'processor-1');
    void c.start();
    await until('the good job handed to the saver', async () => (await p.jobs.get(good))?.status === 'saving', 10000, { intervalMs: 20 });
    await c.stop();

    expect((await p.jobs.get(bad))?.status).toBe('failed');
    expect(await entries(p.k.dead)).toHaveLength(1);
    const captioned = (await entries(p.k.captioned)).map((f) => captionedCodec.decode(f));
    expect(captioned.map((m) => m.id)).toEqual([good]);
    expect((await measureBand(captioned[0]!.image!, 480)).whitePixels).toBeGreaterThan(50);
    expect(await p.uploads.length()).toBe(0);
  });

  test('a pipeline shows each step in the job status as it starts, and hands on its format', async () => {
    const p = freshProcessor();
    await p.uploads.ensureGroup();
    const id = await upload(p, cat, 'steps', '[{"op":"grayscale"},{"op":"resize","width":64},{"op":"format","type":"png"}]');
    const [entry] = await p.uploads.readNew(ns.reader, 'processor-1', 1, 100);
    const watch = await watchCommands(ns.redis);
    try {
      await p.handle(uploadCodec.decode(entry!.fields!), entry!, claimOf(p.uploads, entry!));
      await until('an XADD sent', () => watch.sent.some((c) => c.name === 'XADD'), 5000, { intervalMs: 20 });
    } finally {
      await watch.close();
    }
    const steps = watch.sent.filter((c) => c.name === 'EVAL').map((c) => /"step" "([^"]+)"/.exec(c.line)?.[1]).filter(Boolean);
    expect(steps).toEqual(['1/3 grayscale', '2/3 resize', '3/3 format']);
    const msg = captionedCodec.decode((await entries(p.k.captioned))[0]!);
    expect(msg.format).toBe('png');
    expect([msg.width, msg.height]).toEqual([64, 48]);
    expect((await sharp(msg.image).metadata()).format).toBe('png');
    const job = await p.jobs.get(id);
    expect(job?.status).toBe('saving');
    expect(job?.step).toBeUndefined();
  });

  test('a message whose operations break the schemas is dead-lettered as invalid_message', async () => {
    const p = freshProcessor();
    const id = await upload(p, cat, 'bad steps', '[{"op":"resize","width":0}]');
    const c = consumer(p, 'processor-1');
    void c.start();
    await until('the job marked failed', async () => (await p.jobs.get(id))?.status === 'failed', 10000, { intervalMs: 20 });
    await c.stop();
    const job = await p.jobs.get(id);
    expect(job?.error?.code).toBe('invalid_message');
    expect(job?.error?.message).toContain('operations[0].width: expected an integer from 1 to 16384, got 0');
    expect(await entries(p.k.captioned)).toEqual([]);
  });

  // Fails the first call with `error`, then behaves like `fn`.
  function failingOnce<A extends unknown[], R>(error: Error, fn: (...args: A) => Promise<R>) {
    let calls = 0;
    return (...args: A) => (calls++ === 0 ? Promise.reject(error) : fn(...args));
  }
  // A reclaim idle time of ten minutes: a retry seen here is the consumer's own, not a reclaim's.
  const NO_RECLAIM_MS = 600_000;

  test('a pipeline step that ran out of file handles once is retried by the consumer and handed over, not failed', async () => {
    const emfile = Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    const flaky = createPipeline(OPTIONS, { ...renderer.drawing, drawText: failingOnce(emfile, renderer.drawing.drawText) });
    const p = freshProcessor({ pipeline: flaky });
    const id = await upload(p, cat, 'marked', '[{"op":"watermark","text":"kadr"}]');
    const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
    void c.start();
    await until('the job handed to the saver or failed', async () => ['saving', 'failed'].includes((await p.jobs.get(id))?.status ?? ''), 10000, { intervalMs: 20 });
    await c.stop();
    expect((await p.jobs.get(id))?.status).toBe('saving');
    expect(await entries(p.k.dead)).toEqual([]);
    expect((await entries(p.k.captioned)).map((f) => text(f.id!))).toEqual([id]);
  });

  test('a caption render that ran out of memory once is retried by the consumer and handed over', async () => {
    const p = freshProcessor({ renderer: { ...renderer, render: failingOnce(new RangeError('Out of memory'), renderer.render) } });
    const id = await upload(p, cat);
    const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
    void c.start();
    await until('the job handed to the saver or failed', async () => ['saving', 'failed'].includes((await p.jobs.get(id))?.status ?? ''), 10000, { intervalMs: 20 });
    await c.stop();
    expect((await p.jobs.get(id))?.status).toBe('saving');
    expect(await entries(p.k.dead)).toEqual([]);
  });

  test('a pipeline step that keeps failing for a reason other than its input is dead-lettered after max deliveries with that reason', async () => {
    const broken = createPipeline(OPTIONS, { ...renderer.drawing, drawText: () => Promise.reject(new TypeError('drawText is broken')) });
    const p = freshProcessor({ pipeline: broken });
    const id = await upload(p, cat, 'marked', '[{"op":"watermark","text":"kadr"}]');
    const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
    void c.start();
    await until('the job marked failed', async () => (await p.jobs.get(id))?.status === 'failed', 15000, { intervalMs: 20 });
    await c.stop();
    const job = await p.jobs.get(id);
    expect(job?.error).toEqual({ code: 'internal', message: 'step 1/1 watermark: drawText is broken (gave up after 3 deliveries)' });
    const [dead] = await entries(p.k.dead);
    expect(text(dead!.deliveries)).toBe('3');
  });

  test('a watermark image part that does not decode fails the job at once as operation_failed', async () => {
    const p = freshProcessor();
    const id = crypto.randomUUID();
    await p.jobs.set(id, 'queued');
    const files = { logo: new TextEncoder().encode('not an image at all') };
    await command(ns.redis, ['XADD', p.k.uploads, '*', ...toFields({
      id, description: 'x', received_at: new Date().toISOString(), image: cat, operations: '[{"op":"watermark","image":"logo"}]', files,
    })]);
    const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
    void c.start();
    await until('the job marked failed', async () => (await p.jobs.get(id))?.status === 'failed', 10000, { intervalMs: 20 });
    await c.stop();
    expect((await p.jobs.get(id))?.error?.code).toBe('operation_failed');
    expect(text((await entries(p.k.dead))[0]!.deliveries)).toBe('1');
  });

  describe('an image given by URL', () => {
    test('is fetched while the job shows fetching, then processed and handed to the saver', async () => {
      answers['/cat.jpg'] = [() => new Response(Buffer.from(cat))];
      const statuses: Array<string | undefined> = [];
      let p: ReturnType<typeof freshProcessor>;
      let id = '';
      p = freshProcessor({
        fetchSource: async (url) => {
          statuses.push((await p.jobs.get(id))?.status);
          return sourceFetcher(url);
        },
      });
      id = await uploadByUrl(p, '/cat.jpg');
      const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
      void c.start();
      await until('the job handed to the saver or failed', async () => ['saving', 'failed'].includes((await p.jobs.get(id))?.status ?? ''), 10000, { intervalMs: 20 });
      await c.stop();
      expect(statuses).toEqual(['fetching']);
      expect((await p.jobs.get(id))?.status).toBe('saving');
      const msg = captionedCodec.decode((await entries(p.k.captioned))[0]!);
      expect([msg.id, msg.width]).toEqual([id, 640]);
    });

    test('a 404 fails the job at once as source_http_error, fetched once', async () => {
      const p = freshProcessor();
      const id = await uploadByUrl(p, '/missing.jpg');
      const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
      void c.start();
      await until('the job failed', async () => (await p.jobs.get(id))?.status === 'failed', 10000, { intervalMs: 20 });
      await c.stop();
      const job = await p.jobs.get(id);
      expect(job?.error?.code).toBe('source_http_error');
      expect(job?.error?.message).toContain('HTTP 404');
      expect(served['/missing.jpg']).toBe(1);
      expect(await entries(p.k.dead)).toHaveLength(1);
    });

    test('a 503 is retried with backoff and the photo handed over once the source answers', async () => {
      answers['/flaky.jpg'] = [() => new Response('busy', { status: 503 }), () => new Response(Buffer.from(cat))];
      const p = freshProcessor();
      const id = await uploadByUrl(p, '/flaky.jpg');
      const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
      void c.start();
      await until('the job handed to the saver or failed', async () => ['saving', 'failed'].includes((await p.jobs.get(id))?.status ?? ''), 10000, { intervalMs: 20 });
      await c.stop();
      expect((await p.jobs.get(id))?.status).toBe('saving');
      expect(served['/flaky.jpg']).toBe(2);
      expect(await entries(p.k.dead)).toEqual([]);
    });

    test('a source that keeps answering 500 is dead-lettered after max deliveries with source_http_error', async () => {
      answers['/down.jpg'] = [() => new Response('down', { status: 500 })];
      const p = freshProcessor();
      const id = await uploadByUrl(p, '/down.jpg');
      const c = consumer(p, 'processor-1', NO_RECLAIM_MS);
      void c.start();
      await until('the job failed', async () => (await p.jobs.get(id))?.status === 'failed', 20000, { intervalMs: 20 });
      await c.stop();
      expect((await p.jobs.get(id))?.error?.code).toBe('source_http_error');
      expect(served['/down.jpg']).toBe(3);
    });
  });
});
