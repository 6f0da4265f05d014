import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import { ServiceUnavailableError } from './errors.ts';

export type Dependency = 'redis' | 'postgres';

const REDIS_DOWN = [
  ClientClosedError, ClientOfflineError, ConnectionTimeoutError,
  SocketClosedUnexpectedlyError, SocketTimeoutError, TimeoutError,
];

// postgres.js's own connection codes, and the SQLSTATEs that mean "not now".
const POSTGRES_DOWN = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  '57P01', '57P02', '57P03', '53300', '40001', '40P01',
]);

// Both clients pass the operating system's socket errors through unchanged
// (node-redis rejects commands with the raw ECONNREFUSED while it reconnects),
// so these say that a dependency is unreachable, never which one.
const SOCKET_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `err`, raised by a call to `dependency`, means the dependency is
 * unavailable right now (try again later) rather than that the request or the
 * data is wrong. Told apart by class and code, never by message text.
 */
export function isUnavailable(dependency: Dependency, err: unknown): boolean {
  const code = codeOf(err);
  if (code && SOCKET_DOWN.has(code)) return true;
  if (dependency === 'redis') return REDIS_DOWN.some((cls) => err instanceof cls);
  return code !== undefined && (POSTGRES_DOWN.has(code) || code.startsWith('08'));
}

/**
 * Which dependency an error names by itself, for errors no call site tagged:
 * the client's own classes and codes do; a bare socket error does not.
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
  return err instanceof ClientOfflineError || err instanceof ClientClosedError || codeOf(err) === 'ECONNREFUSED';
}

export function unavailableError(dependency: Dependency, cause?: unknown): ServiceUnavailableError {
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
