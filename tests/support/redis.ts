import pino from 'pino';
import { connectRedis, type Redis } from '../../shared/redis.ts';
import { keys, type Keys } from '../../shared/queue/keys.ts';
import { deleteRedisPrefix, TEST_REDIS_URL, uniqueName } from './namespace.ts';

export const silentLog = pino({ level: 'silent' });

/** A Redis connection and a key namespace of its own for one test file. */
export async function redisNamespace(): Promise<{ redis: Redis; reader: Redis; prefix: string; k: Keys; cleanup: () => Promise<void> }> {
  const prefix = `${uniqueName('q')}:`;
  const redis = await connectRedis(TEST_REDIS_URL, silentLog);
  const reader = await connectRedis(TEST_REDIS_URL, silentLog);
  return {
    redis,
    reader,
    prefix,
    k: keys(prefix),
    cleanup: async () => {
      await deleteRedisPrefix(prefix);
      await Promise.allSettled([redis.close(), reader.close()]);
    },
  };
}
