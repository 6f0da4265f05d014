import type { Logger } from '../shared/logger.ts';
import { KadrError, NotReadyError, ServiceUnavailableError, ValidationError } from '../shared/errors.ts';
import { unavailableDependency } from '../shared/unavailable.ts';

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
  const down = unavailableDependency(err);
  if (down) {
    log.warn({ err, dependency: down }, 'dependency unavailable');
    err = new ServiceUnavailableError(`${down === 'redis' ? 'Redis' : 'PostgreSQL'} is unavailable; try again shortly`, {
      code: `${down}_unavailable`,
      retryAfterSeconds: 2,
    });
  }
  if (err instanceof KadrError) {
    const body: Record<string, unknown> = { code: err.code, message: err.message };
    const headers: Record<string, string> = {};
    if (err instanceof ValidationError) body.field = err.field;
    if (err instanceof NotReadyError) {
      body.status = err.jobStatus;
      if (err.code === 'not_ready') headers['retry-after'] = '1';
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
