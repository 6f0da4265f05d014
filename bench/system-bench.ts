import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keys } from '../shared/queue/keys.ts';
import type { Cleanup } from './cleanup.ts';
import { makeCaptions } from './captions.ts';
import { databaseCompletion, statusCompletion, waitForAll, type CompletionSource } from './completion.ts';
import { postUploads, type Fixture, type LoadProgress } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { MemorySummary, SystemFigures } from './report.ts';
import { cpuBetween, readCpu } from './cpu-time.ts';
import { connectProbe, PeakAndMean, readRss, RedisMemorySampler, redisUsedMemory, Sampler, type RedisProbe } from './sampler.ts';
import { digestLogs } from './log-digest.ts';
import { externalTarget, startSystem, type Target } from './target.ts';

const FIXTURES = ['cat-640x480.jpg', 'astronaut-640x480.jpg'].map((name) =>
  fileURLToPath(new URL(`../tests/fixtures/${name}`, import.meta.url)),
);

/** `--photo`'s one file, or the two 640x480 fixtures posted alternately. */
async function loadFixtures(photo: string | undefined): Promise<Fixture[]> {
  return Promise.all(
    (photo ? [photo] : FIXTURES).map(async (path) => {
      const file = Bun.file(path);
      // Bun guesses the type from the name; a photo without a known extension goes as JPEG, as before.
      const type = file.type.startsWith('image/') ? file.type : 'image/jpeg';
      return { name: basename(path), blob: new Blob([await file.arrayBuffer()], { type }) };
    }),
  );
}

/**
 * Starts the system (or takes --url), posts the uploads while sampling queue
 * depth, Redis memory and RSS every 500 ms (and Redis memory alone every
 * 100 ms, for its peak and mean), and waits until every accepted upload is
 * saved or failed. Everything it opens is handed to `cleanup`.
 */
export async function runSystemBench(options: BenchOptions, cleanup: Cleanup, log: (s: string) => void): Promise<SystemFigures> {
  const fixtures = await loadFixtures(options.photo);
  const captions = makeCaptions(options.images, 42);

  let target: Target;
  if (options.url) {
    target = externalTarget(options.url, options.keyPrefix);
  } else {
    log(`starting api, ${options.processors} processor(s) and saver, ${options.storage} store...`);
    const starting = startSystem(options.processors, options.priority, options);
    cleanup.add('stop the system', async () => (await starting.catch(() => undefined))?.system?.stop());
    target = await starting;
    log(`system up at ${target.baseUrl}: ${target.processes.map((p) => `${p.name} pid ${p.pid}`).join(', ')}`);
  }

  let redis: RedisProbe | undefined;
  if (target.keyPrefix !== undefined) {
    redis = await connectProbe(options.redisUrl);
    const probe = redis;
    cleanup.add('close the Redis probe', () => probe.quit());
  }
  const k = target.keyPrefix === undefined ? undefined : keys(target.keyPrefix);

  const progress: LoadProgress = { accepted: 0, failed: 0, ids: [] };
  let done = 0;
  const sampler = new Sampler({
    intervalMs: options.sampleMs,
    redis,
    uploadsKey: k?.uploads,
    captionedKey: k?.captioned,
    processes: target.processes,
    counts: () => ({ accepted: progress.accepted, done }),
  });
  const redisMemory =
    redis && k ? new RedisMemorySampler(redis, options.redisSampleMs, [k.uploads, k.captioned, k.dead]) : undefined;
  cleanup.add('stop sampling', async () => {
    sampler.stop();
    redisMemory?.stop();
  });

  let source: CompletionSource;
  if (target.databaseUrl && redis && k) source = databaseCompletion(target.databaseUrl, redis, k.dead);
  else source = statusCompletion(target.baseUrl, () => progress.ids);
  cleanup.add('close the completion poller', () => source.close());

  // The client measures the POSTs, so its own pauses count against the API:
  // the render and operations micro-benchmarks left ~GBs of garbage in this
  // process, and collecting it mid-load stalled every request in flight.
  Bun.gc(true);
  const redisBaseline = redis ? await redisUsedMemory(redis) : undefined;
  await sampler.sample();
  const cpuStart = await readCpu(target.processes);
  sampler.start();
  redisMemory?.start();
  log(`posting ${options.images} uploads at concurrency ${options.concurrency}...`);
  let uploading = true;
  const loading = postUploads({ baseUrl: target.baseUrl, fixtures, captions, concurrency: options.concurrency, progress })
    .finally(() => {
      uploading = false;
      log(`uploads finished: ${progress.accepted} accepted, ${progress.failed} not accepted; waiting for the saves...`);
    });
  const [load, completion] = await Promise.all([
    loading,
    waitForAll(source, () => progress.accepted, () => uploading, (c) => (done = c.done)),
  ]);
  const cpuEnd = await readCpu(target.processes);
  sampler.stop();
  redisMemory?.stop();
  while (!(await sampler.sample())) await Bun.sleep(20);

  const hwm: Record<string, number> = {};
  for (const p of target.processes) {
    const mem = await readRss(p.pid);
    if (mem) hwm[p.name] = mem.hwm;
  }
  return {
    options,
    baseUrl: target.baseUrl,
    started: target.system !== undefined,
    fixtures: fixtures.map((f) => `${f.name} (${(f.blob.size / 1024).toFixed(0)} KiB)`),
    load,
    completion,
    completionMethod: source.describe,
    sampler,
    services: target.processes.map((p) => p.name),
    hwm,
    cpu: cpuBetween(cpuStart, cpuEnd, completion.done, navigator.hardwareConcurrency),
    redisBaseline,
    redisMemory: redisMemory && {
      intervalMs: redisMemory.intervalMs,
      instance: summary(redisMemory.instance),
      streams: summary(redisMemory.streams),
    },
    digest: target.system ? digestLogs(target.system.services) : undefined,
  };
}

const summary = (m: PeakAndMean): MemorySummary => ({ peak: m.peak, mean: m.mean, count: m.count });
