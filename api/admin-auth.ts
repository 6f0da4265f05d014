import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` when an admin token is configured;
 * without one the admin endpoints are open (a development setup). Digests are
 * compared in constant time, so the answer's timing says nothing about how
 * much of a guess was right.
 */
export function requireAdmin(token: string | undefined, headers: Headers): void {
  if (token === undefined) return;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
  if (given === undefined) throw new UnauthorizedError('this endpoint needs `Authorization: Bearer <ADMIN_TOKEN>`');
  if (!timingSafeEqual(digest(given), digest(token))) throw new UnauthorizedError('the admin token is wrong');
}
