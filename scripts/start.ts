import { loadConfig } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { connectRedis } from '../shared/redis.ts';
import { connectDb } from '../shared/db.ts';
import { migrateUp } from '../shared/migrate.ts';
import { failBoot } from '../shared/shutdown.ts';
import { superviseAll, type ServiceSpec } from './supervise.ts';

/**
 * `npm start`: checks config, Redis and PostgreSQL, applies migrations, then
 * runs the api, one processor per core (at idle CPU priority by default, so
 * image work never slows uploads) and the saver, with prefixed output. Ctrl-C stops all.
 */
async function main() {
  const config = loadConfig();
  const log = createLogger('start', config);
  const redis = await connectRedis(config.redisUrl, log);
  await redis.close();
  const sql = await connectDb(config.databaseUrl, { max: 1 });
  await sql.end();
  await migrateUp(config.databaseUrl, log);

  const services: ServiceSpec[] = [
    { name: 'api', entry: 'api/main.ts' },
    ...Array.from({ length: config.processors }, (_, i) => ({
      name: config.processors > 1 ? `processor-${i + 1}` : 'processor',
      entry: 'processor/main.ts',
      priority: config.processorPriority,
    })),
    { name: 'saver', entry: 'saver/main.ts' },
  ];
  await superviseAll(services, { shutdownTimeoutMs: config.shutdownTimeoutMs, consumerName: config.consumerSlotPrefix });
}

main().catch((err) => failBoot('start', err));
