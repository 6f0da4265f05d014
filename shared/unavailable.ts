import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import { isDbUnavailable } from './db.ts';

const REDIS_DOWN = [
  ClientClosedError, ClientOfflineError, ConnectionTimeoutError,
  SocketClosedUnexpectedlyError, SocketTimeoutError, TimeoutError,
];

/** Which dependency an error says is down, told apart by class and code, not text. */
export function unavailableDependency(err: unknown): 'redis' | 'postgres' | null {
  if (REDIS_DOWN.some((cls) => err instanceof cls)) return 'redis';
  if (isDbUnavailable(err)) return 'postgres';
  return null;
}
