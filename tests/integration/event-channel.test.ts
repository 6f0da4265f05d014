import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { JobEventHub } from '../../api/events/job-events.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { JobStore, type JobEvent } from '../../shared/jobs.ts';
import { keys } from '../../shared/queue/keys.ts';
import { connectRedis, type Redis } from '../../shared/redis.ts';
import { deleteRedisPrefix, TEST_REDIS_URL, uniqueName } from '../support/namespace.ts';
import { silentLog } from '../support/redis.ts';
import { until } from '../support/wait.ts';

/** One deployment: its config as loadConfig reads it, its publisher and its subscribed hub. */
interface Deployment {
  config: Config;
  redis: Redis;
  hub: JobEventHub;
  jobs: JobStore;
}

const PREFIX = `${uniqueName('chan')}:`;
const urlOf = (db: number) => Object.assign(new URL(TEST_REDIS_URL), { pathname: `/${db}` }).toString();
const deployments: Deployment[] = [];

async function deploy(db: number): Promise<Deployment> {
  const config = loadConfig({ REDIS_URL: urlOf(db), KEY_PREFIX: PREFIX });
  const k = keys(config.keyPrefix, config.redisDatabase);
  const redis = await connectRedis(config.redisUrl, silentLog);
  const hub = new JobEventHub(await connectRedis(config.redisUrl, silentLog), k.events, silentLog, 100);
  const d = { config, redis, hub, jobs: new JobStore(redis, k, 600) };
  deployments.push(d);
  return d;
}

let a: Deployment;
let b: Deployment;

beforeAll(async () => {
  a = await deploy(0);
  b = await deploy(1);
});

afterAll(async () => {
  for (const d of deployments) {
    await d.hub.close();
    await d.redis.close();
  }
  await deleteRedisPrefix(PREFIX, urlOf(0));
  await deleteRedisPrefix(PREFIX, urlOf(1));
});

describe('the status-event channel', () => {
  test('REDIS_URL\'s database number is read into the config (0 without one)', () => {
    expect(a.config.redisDatabase).toBe(0);
    expect(b.config.redisDatabase).toBe(1);
    expect(loadConfig({ REDIS_URL: 'redis://h:6379' }).redisDatabase).toBe(0);
    expect(loadConfig({ REDIS_URL: 'redis://h:6379/' }).redisDatabase).toBe(0);
  });

  test('two deployments with one KEY_PREFIX on two databases of one Redis never hear each other\'s events', async () => {
    const job = '01a20000-0000-7000-8000-0000000000c1';
    const heardA: JobEvent[] = [];
    const heardB: JobEvent[] = [];
    const stopA = a.hub.watch([job], (e) => heardA.push(e));
    const stopB = b.hub.watch([job], (e) => heardB.push(e));
    await Promise.all([a.hub.listening(), b.hub.listening()]);
    // Same job id in both (ids are UUIDs, but a listener must not depend on that): B's change first, then A's.
    await b.jobs.set(job, 'processing');
    await a.jobs.set(job, 'saving');
    await until('A hears its own change', () => heardA.length >= 1, 5000, { intervalMs: 5 });
    await until('B hears its own change', () => heardB.length >= 1, 5000, { intervalMs: 5 });
    // Redis delivers a channel's messages in publishing order: had A heard B's, it would have come first.
    expect(heardA.map((e) => e.status)).toEqual(['saving']);
    expect(heardB.map((e) => e.status)).toEqual(['processing']);
    stopA();
    stopB();
  });
});
