import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { connectDb } from './db.ts';
import { migrateUp } from './migrate.ts';
import { failBoot } from './shutdown.ts';

/** `bun run migrate`: applies pending migrations and exits. */
async function main() {
  const config = loadConfig();
  const log = createLogger('migrate', config);
  // Proves the database is reachable with a clear message before node-pg-migrate tries.
  await (await connectDb(config.databaseUrl, { max: 1 })).end();
  const applied = await migrateUp(config.databaseUrl, log);
  log.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
  log.flush();
}

main().catch((err) => failBoot('migrate', err));
