import type { Logger } from '../shared/logger.ts';
import {
  BatchNotReadyError,
  EnqueueOutcomeUnknownError,
  KadrError,
  NotReadyError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../shared/errors.ts';
import { unavailableDependency, unavailableError } from '../shared/unavailable.ts';

export const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
  });
}

/**
 * The one place where errors become HTTP answers:
 * `{ "error": { "code", "message", ...details } }`. Unknown errors are logged
 * with their stack and answered 500 without internals.
 */
export function errorResponse(err: unknown, elysiaCode: string | number, log: Logger): Response {
  // Call sites tag what they know (see `calling`); this catches the rest, so
  // an unreachable dependency is a 503, never a 500.
  const down = unavailableDependency(err);
  if (down === 'unknown') {
    err = new ServiceUnavailableError('a dependency is unreachable; try again shortly', { retryAfterSeconds: 2, cause: err });
  } else if (down) {
    err = unavailableError(down, err);
  }
  if (err instanceof ServiceUnavailableError && err.cause !== undefined) {
    // A dependency failed (rather than the queue being full): worth a line in the log.
    log.warn({ err: err.cause, code: err.code }, 'dependency unavailable');
  }
  if (err instanceof KadrError) {
    const body: Record<string, unknown> = { code: err.code, message: err.message };
    const headers: Record<string, string> = {};
    if (err instanceof ValidationError) body.field = err.field;
    if (err instanceof EnqueueOutcomeUnknownError) body.id = err.id;
    if (err instanceof NotReadyError) {
      body.status = err.jobStatus;
      if (err.code === 'not_ready') headers['retry-after'] = '1';
    }
    if (err instanceof UnauthorizedError) headers['www-authenticate'] = 'Bearer realm="kadr admin"';
    if (err instanceof BatchNotReadyError) body.counts = err.counts;
    if (err instanceof RangeNotSatisfiableError) {
      body.size = err.size;
      headers['content-range'] = `bytes */${err.size}`;
    }
    if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
    return json(err.status, { error: body }, headers);
  }
  switch (elysiaCode) {
    case 'NOT_FOUND':
      return json(404, { error: { code: 'route_not_found', message: 'no such endpoint; see /swagger' } });
    case 'PARSE':
      return json(400, { error: { code: 'malformed_body', message: 'the request body could not be parsed' } });
    case 'VALIDATION':
      return json(422, { error: { code: 'invalid_request', message: (err as Error).message } });
  }
  log.error({ err }, 'unhandled error');
  return json(500, { error: { code: 'internal', message: 'internal error; it has been logged' } });
}
