import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { isLoopbackAddress, isLoopbackHost } from './peer-address.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface AdminAccess {
  /** ADMIN_TOKEN; without it only loopback clients are served. */
  adminToken: string | undefined;
  /** PUBLIC_URL: its origin is accepted in `Origin` besides the request's own. */
  publicUrl: string | undefined;
}

/**
 * Decides whether `request` (from TCP peer `peer`) may use an admin endpoint;
 * throws the refusal. In order:
 *
 * - A browser's `Origin` must be this API's (the request's own origin or
 *   PUBLIC_URL's), else 403 `foreign_origin`: another site's page cannot act
 *   on an operator's open dashboard.
 * - With a token configured, `Authorization: Bearer <token>` (401 without
 *   it). It is read from a header only, never a cookie or the query, so a
 *   cross-site form cannot carry it, and any request that sends it is not a
 *   "simple" one (the browser asks first, and the API grants no CORS).
 *   Digests are compared in constant time.
 * - Without a token, the peer must be on loopback and the request addressed to
 *   a loopback name (a DNS-rebound name is not), else 403 `loopback_only`; and
 *   a POST must say `Content-Type: application/json` (415 `json_required`),
 *   the one state-changing method a cross-site form can send without asking.
 */
export function requireAdmin(access: AdminAccess, request: Request, peer: string | undefined): void {
  checkOrigin(access, request);
  const { adminToken } = access;
  if (adminToken !== undefined) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (given === undefined) throw new UnauthorizedError('this endpoint needs `Authorization: Bearer <ADMIN_TOKEN>`');
    if (!timingSafeEqual(digest(given), digest(adminToken))) throw new UnauthorizedError('the admin token is wrong');
    return;
  }
  if (!isLoopbackAddress(peer) || !isLoopbackHost(new URL(request.url).hostname)) {
    throw new ForbiddenError(
      'ADMIN_TOKEN is not set, so the admin endpoints answer only clients on this machine (loopback, addressed as ' +
        'localhost or 127.0.0.1); set ADMIN_TOKEN to reach them from elsewhere',
      'loopback_only',
    );
  }
  if (request.method === 'POST' && !/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
    throw new UnsupportedMediaTypeError(
      'without ADMIN_TOKEN an admin POST must carry `Content-Type: application/json` (which a cross-site form cannot send)',
      'json_required',
    );
  }
}

function checkOrigin({ publicUrl }: AdminAccess, request: Request): void {
  const origin = request.headers.get('origin');
  if (origin === null) return; // not sent by a browser (curl, scripts): nothing cross-site about it
  const own = [new URL(request.url).origin];
  if (publicUrl !== undefined) own.push(new URL(publicUrl).origin);
  if (!own.includes(origin)) {
    throw new ForbiddenError(`cross-site request refused: Origin "${origin}" is not this API's (${own.join(' or ')})`, 'foreign_origin');
  }
}
