import { loadConfig, publicBaseUrl } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { connectRedis } from '../shared/redis.ts';
import { connectDb } from '../shared/db.ts';
import { migrateUp } from '../shared/migrate.ts';
import { BatchProgress } from '../shared/batches/progress.ts';
import { JobStore } from '../shared/jobs.ts';
import { captionedCodec } from '../shared/messages.ts';
import { GROUPS, keys } from '../shared/queue/keys.ts';
import { StreamQueue } from '../shared/queue/stream.ts';
import { createWorkerConsumer } from '../shared/queue/worker.ts';
import { failBoot, makeClose, onShutdown } from '../shared/shutdown.ts';
import { assertConsumerNameFree, startHeartbeat } from '../shared/stats/heartbeat.ts';
import { WorkerStats } from '../shared/stats/worker-stats.ts';
import { discardSaved } from './discard.ts';
import { createSaveHandler } from './handle.ts';
import { startMaintenance } from './maintenance.ts';
import { openStore } from '../shared/storage/open-store.ts';
import { WebhookEvents } from '../shared/webhooks/events.ts';
import { createGuardedFetch } from '../shared/net/guarded-fetch.ts';
import { createSsrfGuard } from '../shared/net/ssrf-guard.ts';
import { guardedPoster } from './webhooks/poster.ts';
import { createWebhookDelivery } from './webhooks/start.ts';
import { ClaimCheck } from '../shared/storage/claim-check.ts';
import { ObjectRegistry } from '../shared/storage/registry.ts';

const SERVICE = 'saver';

async function main() {
  const config = loadConfig();
  const log = createLogger(SERVICE, config);
  const redis = await connectRedis(config.redisUrl, log);
  const reader = await connectRedis(config.redisUrl, log);
  const sql = await connectDb(config.databaseUrl);
  // Migrations run before serving; concurrent starts wait for node-pg-migrate's lock.
  await migrateUp(config.databaseUrl, log);
  const store = openStore(config.storage);
  const swept = await store.sweepAbandoned();
  if (swept.length) log.warn({ files: swept }, 'removed temporary files left by a killed saver');
  const k = keys(config.keyPrefix, config.redisDatabase);
  // Before anything is read under the name: a live twin would take this worker's entries and it theirs.
  await assertConsumerNameFree(redis, k, config.consumerName);
  const jobs = new JobStore(redis, k, config.jobTtlSeconds);
  const captioned = new StreamQueue(redis, k.captioned, GROUPS.savers);
  const stats = new WorkerStats(k, config.consumerName);
  const progress = new BatchProgress(redis, k.batchFinished, config.jobTtlSeconds);
  const { batchTtlSeconds } = config;
  const baseUrl = publicBaseUrl(config);
  const events = new WebhookEvents(k.webhooks, baseUrl);
  const batchWebhooks = { sql, redis, jobs, progress, events, baseUrl, batchTtlSeconds, log: log.child({ task: 'batch-webhooks' }) };
  const claims = new ClaimCheck(store, new ObjectRegistry(redis, k.objects), config.inlineMaxBytes);
  const consumer = createWorkerConsumer(config, log, jobs, k, stats, {
    queue: captioned,
    reader,
    decode: captionedCodec.decode,
    handle: createSaveHandler({ jobs, sql, store, stats, log, progress, events, batchWebhooks, batchTtlSeconds, claims }),
    discard: (fields) => discardSaved(sql, store, fields),
    count: 8,
  });
  // Webhooks are delivered by the savers, from their own stream and group, on their own blocking connection.
  const webhookReader = config.webhookSecret ? await connectRedis(config.redisUrl, log) : undefined;
  // Callback URLs are users' choice: every delivery goes through the SSRF guard, as fetching by URL does.
  const poster = guardedPoster(createGuardedFetch(createSsrfGuard({ allowNetworks: config.fetchAllowNetworks, allowPorts: config.fetchAllowPorts })));
  const webhooks =
    config.webhookSecret && webhookReader
      ? createWebhookDelivery(config, config.webhookSecret, { redis, reader: webhookReader, k, poster, log: log.child({ task: 'webhooks' }) })
      : undefined;
  const stopMaintenance = startMaintenance({
    sql,
    redis,
    progress,
    jobKey: k.job,
    store,
    orphans: { claims, jobs, ageSeconds: config.orphanAgeSeconds },
    intervalMs: config.sweepIntervalMs,
    batchTtlSeconds,
    batchLostAfterSeconds: config.batchLostAfterSeconds,
    imageTtlSeconds: config.imageTtlSeconds,
    batchWebhooks,
    log: log.child({ task: 'maintenance' }),
  });
  const close = makeClose(
    log,
    [
      ['stop maintenance', stopMaintenance],
      ['drain consumer', () => consumer.stop()],
      ['drain webhooks', async () => webhooks?.stop()],
      ['stop heartbeat', () => heartbeat.stop()],
      ['close redis', () => Promise.allSettled([redis.close(), reader.close(), webhookReader?.close()])],
      ['close postgres', () => sql.end({ timeout: 5 })],
    ],
    config.shutdownTimeoutMs,
  );
  const heartbeat = startHeartbeat(redis, k, { kind: 'saver', consumer: config.consumerName }, log);
  onShutdown(log, close);
  log.info({ consumer: config.consumerName, stream: k.captioned, store: store.location, webhooks: webhooks !== undefined }, 'saver started');
  await Promise.all([consumer.start(), webhooks?.start()]);
}

main().catch((err) => failBoot(SERVICE, err));
