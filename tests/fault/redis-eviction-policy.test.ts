import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../../shared/redis.ts';
import { readEvictionPolicy } from '../../shared/redis-memory.ts';
import { TEST_PG_ADMIN_URL, uniqueName } from '../support/namespace.ts';
import { RedisServer } from '../support/redis-server.ts';
import { silentLog } from '../support/redis.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let evicting: RedisServer;
let noConfig: RedisServer;
let dir: string;
beforeAll(async () => {
  [evicting, noConfig] = await Promise.all([
    RedisServer.start(['--maxmemory', '50mb', '--maxmemory-policy', 'allkeys-lru']),
    // CONFIG renamed away, as managed Redis services often do.
    RedisServer.start(['--maxmemory', '50mb', '--maxmemory-policy', 'volatile-ttl', '--rename-command', 'CONFIG', '']),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'kadr-evict-'));
}, 30_000);
afterAll(async () => {
  await Promise.all([evicting?.destroy(), noConfig?.destroy()]);
  await rm(dir, { recursive: true, force: true });
});

/** Starts `service` against `redisUrl` and waits for it to exit; its stderr and exit code. */
async function boot(service: string, redisUrl: string) {
  const proc = Bun.spawn([process.execPath, `${service}/main.ts`], {
    cwd: ROOT,
    env: {
      ...(process.env as Record<string, string>),
      REDIS_URL: redisUrl,
      DATABASE_URL: TEST_PG_ADMIN_URL,
      KEY_PREFIX: `${uniqueName('t')}:`,
      PORT: '0',
      HOST: '127.0.0.1',
      IMAGES_DIR: join(dir, 'images'),
      LOG_DIR: join(dir, 'logs'),
    },
    stdout: 'ignore',
    stderr: 'pipe',
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
  clearTimeout(timer);
  return { code, stderr };
}

describe('a Redis that may evict keys', () => {
  test.each(['api', 'processor', 'saver'])('stops the %s at boot, naming the policy and the fix', async (service) => {
    const { code, stderr } = await boot(service, evicting.url);
    expect(code).toBe(1);
    expect(stderr).toContain('maxmemory-policy allkeys-lru');
    expect(stderr).toContain('noeviction');
  }, 30_000);

  test('is recognised from INFO when CONFIG is disabled', async () => {
    const redis = await connectRedis(noConfig.url, silentLog).catch((e: unknown) => e);
    expect((redis as Error).message).toContain('maxmemory-policy volatile-ttl');
  });

  test('a noeviction Redis is accepted, its policy read by CONFIG GET', async () => {
    const quiet = await RedisServer.start(['--maxmemory', '50mb']);
    try {
      const redis = await connectRedis(quiet.url, silentLog);
      expect(await readEvictionPolicy(redis)).toBe('noeviction');
      await redis.close();
    } finally {
      await quiet.destroy();
    }
  });
});
