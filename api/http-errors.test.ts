import { expect, test } from 'bun:test';
import pino from 'pino';
import { EnqueueOutcomeUnknownError, RangeNotSatisfiableError } from '../shared/errors.ts';
import { unavailableError } from '../shared/unavailable.ts';
import { errorResponse } from './http-errors.ts';

const log = pino({ level: 'silent' });
const socketError = (code: string) => Object.assign(new Error(code), { code });

async function answer(err: unknown) {
  const res = errorResponse(err, 'UNKNOWN', log);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error: Record<string, string> } };
}

test('a dependency a call site named answers 503 with its code and Retry-After', async () => {
  const { status, retryAfter, body } = await answer(unavailableError('postgres', socketError('ECONNREFUSED')));
  expect(status).toBe(503);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(body.error.code).toBe('postgres_unavailable');
});

test('a bare socket error nobody tagged is still a 503, not blamed on PostgreSQL and never a 500', async () => {
  const { status, retryAfter, body } = await answer(socketError('ECONNRESET'));
  expect(status).toBe(503);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(body.error.code).toBe('service_unavailable');
});

test('an upload whose queueing outcome is unknown answers 503 with the id to check', async () => {
  const id = '01a20778-6a1e-750a-ab59-e839ea333e36';
  const { status, retryAfter, body } = await answer(new EnqueueOutcomeUnknownError(id, socketError('ECONNRESET')));
  expect(status).toBe(503);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(body.error).toMatchObject({ code: 'outcome_unknown', id });
  expect(body.error.message).toContain('status');
});

test('an unsatisfiable range answers 416 with the size in Content-Range and a stable code', async () => {
  const res = errorResponse(new RangeNotSatisfiableError('bytes=5000- starts past the end of the 1234-byte image', 1234), 'UNKNOWN', log);
  expect(res.status).toBe(416);
  expect(res.headers.get('content-range')).toBe('bytes */1234');
  expect(((await res.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 'range_not_satisfiable', size: 1234 });
});
