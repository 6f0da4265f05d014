import {
  ErrorReply,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import { ServiceUnavailableError } from './errors.ts';
import { sqlFault } from './sqlstate.ts';

export type Dependency = 'redis' | 'postgres';

const REDIS_DOWN = [
  ClientClosedError, ClientOfflineError, ConnectionTimeoutError,
  SocketClosedUnexpectedlyError, SocketTimeoutError, TimeoutError,
];

// postgres.js's own connection codes; SQLSTATEs are classified in sqlstate.ts.
const POSTGRES_DOWN = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

// Both clients pass the operating system's socket errors through unchanged
// (node-redis rejects commands with the raw ECONNREFUSED while it reconnects),
// so these say that a dependency is unreachable, never which one.
const SOCKET_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when Redis refused a command because it reached its `maxmemory`
 * (noeviction). Redis's error code is the first word of its error reply
 * (`OOM command not allowed when used memory > 'maxmemory'.`), read the same
 * way as NOSCRIPT and BUSYGROUP elsewhere. Redis refuses such a command before
 * running it, and a MULTI holding one is discarded whole (EXECABORT).
 */
export function isRedisOutOfMemory(err: unknown): boolean {
  return err instanceof ErrorReply && err.message.startsWith('OOM ');
}

/**
 * True when `err`, raised by a call to `dependency`, means the dependency is
 * unavailable right now (try again later) rather than that the request or the
 * data is wrong. Told apart by class and code, never by message text. For
 * PostgreSQL that is every error of the system or its configuration (see
 * sqlstate.ts), not only a lost connection; for Redis, being unreachable or
 * out of memory.
 */
export function isUnavailable(dependency: Dependency, err: unknown): boolean {
  const code = codeOf(err);
  if (code && SOCKET_DOWN.has(code)) return true;
  if (dependency === 'redis') return REDIS_DOWN.some((cls) => err instanceof cls) || isRedisOutOfMemory(err);
  return code !== undefined && (POSTGRES_DOWN.has(code) || sqlFault(err) === 'system');
}

/**
 * Which dependency an error names by itself, for errors no call site tagged:
 * the client's own classes and codes do; a bare socket error does not. An
 * error reply is Redis's (PostgreSQL's errors are not ErrorReplies).
 */
export function unavailableDependency(err: unknown): Dependency | 'unknown' | null {
  const code = codeOf(err);
  if (code && SOCKET_DOWN.has(code)) return 'unknown';
  if (isUnavailable('redis', err)) return 'redis';
  if (isUnavailable('postgres', err)) return 'postgres';
  return null;
}

/**
 * True when a failed Redis command certainly never reached the server: the
 * client was offline or closed, or no connection could be made. Any other
 * failure may have come after Redis executed it.
 */
export function neverSent(err: unknown): boolean {
  return err instanceof ClientOfflineError || err instanceof ClientClosedError || codeOf(err) === 'ECONNREFUSED' || isRedisOutOfMemory(err);
}

export function unavailableError(dependency: Dependency, cause?: unknown): ServiceUnavailableError {
  if (dependency === 'redis' && isRedisOutOfMemory(cause)) {
    // Redis is full, not down: to a client that is a full queue.
    return new ServiceUnavailableError('the queue is full (Redis reached its maxmemory); try again shortly', {
      code: 'queue_full',
      retryAfterSeconds: 5,
      cause,
    });
  }
  return new ServiceUnavailableError(`${dependency === 'redis' ? 'Redis' : 'PostgreSQL'} is unavailable; try again shortly`, {
    code: `${dependency}_unavailable`,
    retryAfterSeconds: 2,
    cause,
  });
}

/**
 * Awaits one call to `dependency`; if it fails because the dependency is
 * down, throws a ServiceUnavailableError naming it (HTTP 503 with
 * Retry-After). Only the call site knows whose a bare socket error is.
 */
export async function calling<T>(dependency: Dependency, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw isUnavailable(dependency, err) ? unavailableError(dependency, err) : err;
  }
}
