import { loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { connectRedis } from '../shared/redis.ts';
import { connectDb } from '../shared/db.ts';
import { migrateUp } from '../shared/migrate.ts';
import { failBoot, makeClose, onShutdown } from '../shared/shutdown.ts';
import { keys } from '../shared/queue/keys.ts';
import { openStore } from '../shared/storage/open-store.ts';
import { createApp } from './app.ts';
import { JobEventHub } from './events/job-events.ts';
import { PeerAddresses } from './admin/peer-address.ts';
import { SseStreams } from './events/sse.ts';
import { uploadLimits } from './uploads/upload.ts';
import { warmUpUploadPath } from './uploads/warm-up.ts';

const SERVICE = 'api';

async function main() {
  const config = loadConfig();
  const log = createLogger(SERVICE, config);
  const redis = await connectRedis(config.redisUrl, log);
  const sql = await connectDb(config.databaseUrl, { max: 10 });
  // Migrations run before serving; concurrent starts wait for node-pg-migrate's lock.
  await migrateUp(config.databaseUrl, log);
  // Subscribed connections can run nothing else, hence one of their own
  // (subscribed only while a page watches: see JobEventHub).
  const events = new JobEventHub(await connectRedis(config.redisUrl, log), keys(config.keyPrefix, config.redisDatabase).events, log);
  const streams = new SseStreams();
  const store = openStore(config.storage);
  const peers = new PeerAddresses();
  const app = createApp({ config, redis, sql, store, log, events, streams, peers });
  if (config.adminToken === undefined) {
    log.warn('ADMIN_TOKEN is not set: the admin endpoints (dead letters, stats, the dashboard) answer loopback clients only');
  }
  const warming = performance.now();
  await warmUpUploadPath(redis, uploadLimits(config));
  log.info({ ms: Math.round(performance.now() - warming) }, 'upload path warmed up');
  const server = Bun.serve({
    port: config.port,
    hostname: config.host,
    // Bun's own limit answers a bare 413 before any handler runs, without the
    // JSON error or nosniff. The upload route enforces the size itself (by
    // Content-Length, then by counting a streamed body), and no other route
    // reads a body, so Bun's limit is lifted.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    // Event streams send a comment every 15 s; Bun's default idle timeout (10 s) would cut them.
    idleTimeout: 60,
    // The admin check needs the TCP peer, which only the server knows.
    fetch: (request, server) => app.handle(peers.record(request, server.requestIP(request)?.address)),
  });
  const close = makeClose(
    log,
    [
      // Open event streams never finish by themselves: end them first, or the
      // server would wait for them until the deadline.
      ['end event streams', () => streams.closeAll()],
      // stop(false) stops accepting and lets in-flight requests finish.
      ['stop http', () => server.stop(false)],
      ['close event subscriber', () => events.close()],
      ['close redis', () => redis.close()],
      ['close postgres', () => sql.end({ timeout: 5 })],
    ],
    config.shutdownTimeoutMs,
  );
  onShutdown(log, close);
  log.info({ url: `http://${config.host}:${server.port}`, swagger: '/swagger', store: store.location }, 'api listening');
}

main().catch((err) => failBoot(SERVICE, err));
