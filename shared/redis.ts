import { createClient, RESP_TYPES } from 'redis';
import type { Logger } from './logger.ts';
import { requireNoEviction } from './redis-memory.ts';
import { ensureTracingChannelHasSubscribers } from './tracing-channel-shim.ts';

/** A connected client whose replies keep binary values as Buffers. */
export type Redis = ReturnType<typeof bufferClient>;

function bufferClient(url: string, opts: { onConnectFailure: (cause: Error) => Error }) {
  let connectedOnce = false;
  // Before any command: without it every command pays for a trace nobody reads.
  ensureTracingChannelHasSubscribers();
  const client = createClient({
    url,
    // Commands issued while disconnected fail at once instead of hanging the caller;
    // callers decide whether to answer 503 or retry.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      // Before the first connection a failure is fatal (fail fast at boot);
      // afterwards reconnect forever, at least once a second: every second
      // spent waiting after Redis is back is a second of 503s and idle workers.
      reconnectStrategy: (retries, cause) =>
        connectedOnce ? Math.min(100 * 2 ** Math.min(retries, 5), 1000) : opts.onConnectFailure(cause),
    },
  });
  client.on('ready', () => {
    connectedOnce = true;
  });
  return client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}

/** Hides credentials so a URL can be logged or shown in an error. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/**
 * Connects to Redis or throws an Error naming the URL and how to start Redis,
 * or why this Redis cannot be used (an evicting maxmemory-policy).
 * Connection errors after boot are logged, and the client reconnects by itself.
 */
export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const client = bufferClient(url, {
    onConnectFailure: (cause) =>
      new Error(
        `Cannot reach Redis at ${redactUrl(url)} (${(cause as NodeJS.ErrnoException).code ?? cause.message}). ` +
          'Start it (e.g. `redis-server`, or `docker compose up -d redis postgres`) or set REDIS_URL.',
        { cause },
      ),
  });
  client.on('error', (err: Error) => log.warn({ err }, 'redis connection error'));
  await client.connect();
  try {
    await requireNoEviction(client, redactUrl(url));
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
  return client;
}

/** Sends one raw command; replies are Buffers, integers, arrays or maps. */
export function command(redis: Redis, args: Array<string | Buffer>): Promise<unknown> {
  return redis.sendCommand(args as never) as Promise<unknown>;
}

export function text(reply: unknown): string {
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply);
}
