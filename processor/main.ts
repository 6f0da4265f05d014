import { loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { connectRedis } from '../shared/redis.ts';
import { JobStore } from '../shared/jobs.ts';
import { uploadCodec } from '../shared/messages.ts';
import { GROUPS, keys } from '../shared/queue/keys.ts';
import { StreamQueue } from '../shared/queue/stream.ts';
import { captionedLimit, queuedBytesKey } from '../shared/queue/stream-bytes.ts';
import { command } from '../shared/redis.ts';
import { createWorkerConsumer } from '../shared/queue/worker.ts';
import { failBoot, makeClose, onShutdown } from '../shared/shutdown.ts';
import { captionOptionsOf } from './caption/options.ts';
import { assertConsumerNameFree, startHeartbeat } from '../shared/stats/heartbeat.ts';
import { WorkerStats } from '../shared/stats/worker-stats.ts';
import { createCaptionRenderer } from './caption/renderer.ts';
import { gcEvery } from './gc-pacer.ts';
import { createGuardedFetch } from '../shared/net/guarded-fetch.ts';
import { createSsrfGuard } from '../shared/net/ssrf-guard.ts';
import { createSourceFetcher, sourceLimits } from './fetch-source.ts';
import { createProcessHandler } from './handle.ts';
import { createPipeline } from './pipeline.ts';
import { ClaimCheck } from '../shared/storage/claim-check.ts';
import { openStore } from '../shared/storage/open-store.ts';
import { ObjectRegistry } from '../shared/storage/registry.ts';

const SERVICE = 'processor';

const GC_EVERY_IMAGES = 50;

/** Runs `handle`, then lets the pacer collect garbage every GC_EVERY_IMAGES images. */
function withCollection<A extends unknown[]>(handle: (...args: A) => Promise<void>) {
  const tick = gcEvery(GC_EVERY_IMAGES);
  return async (...args: A) => {
    await handle(...args);
    tick();
  };
}

async function main() {
  const config = loadConfig();
  const log = createLogger(SERVICE, config);
  const captionOptions = captionOptionsOf(config);
  const renderer = await createCaptionRenderer(captionOptions);
  await renderer.warmUp();
  const pipeline = createPipeline(captionOptions, renderer.drawing);
  const redis = await connectRedis(config.redisUrl, log);
  const reader = await connectRedis(config.redisUrl, log);
  const k = keys(config.keyPrefix, config.redisDatabase);
  // Before anything is read under the name: a live twin would take this worker's entries and it theirs.
  await assertConsumerNameFree(redis, k, config.consumerName);
  const jobs = new JobStore(redis, k, config.jobTtlSeconds);
  const uploads = new StreamQueue(redis, k.uploads, GROUPS.processors);
  const stats = new WorkerStats(k, config.consumerName);
  // The processor touches the store only for the claim check (uploads and results held by reference).
  const claims = new ClaimCheck(openStore(config.storage), new ObjectRegistry(redis, k.objects), config.inlineMaxBytes);
  const guard = createSsrfGuard({ allowNetworks: config.fetchAllowNetworks, allowPorts: config.fetchAllowPorts });
  const fetchSource = createSourceFetcher(createGuardedFetch(guard), sourceLimits(config));
  const consumer = createWorkerConsumer(config, log, jobs, k, stats, {
    queue: uploads,
    reader,
    decode: uploadCodec.decode,
    // Backpressure: while stream 2 holds its share of REDIS_MAX_QUEUED_BYTES
    // (a saver that cannot save), no upload is taken; each processor adds at
    // most the one result in hand past the limit.
    hold: async () => Number(String((await command(redis, ['GET', queuedBytesKey(k.captioned)])) ?? 0)) >= captionedLimit(config.redisMaxQueuedBytes),
    handle: withCollection(createProcessHandler({ captionedKey: k.captioned, jobs, renderer, pipeline, stats, fetchSource, log, claims })),
  });
  const close = makeClose(
    log,
    [
      ['drain consumer', () => consumer.stop()],
      ['stop heartbeat', () => heartbeat.stop()],
      ['close redis', () => Promise.allSettled([redis.close(), reader.close()])],
    ],
    config.shutdownTimeoutMs,
  );
  const heartbeat = startHeartbeat(redis, k, { kind: 'processor', consumer: config.consumerName }, log);
  onShutdown(log, close);
  log.info({ consumer: config.consumerName, stream: k.uploads }, 'processor started');
  await consumer.start();
}

main().catch((err) => failBoot(SERVICE, err));
