import { describe, expect, test } from 'bun:test';
import { ClientOfflineError, ErrorReply, SocketClosedUnexpectedlyError } from 'redis';
import { ServiceUnavailableError } from './errors.ts';
import { calling, isUnavailable, neverSent, unavailableDependency, unavailableError } from './unavailable.ts';

const withCode = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

describe('telling an unavailable dependency from a bad request', () => {
  test('a bare socket error means unreachable for either client, but names neither', () => {
    const refused = withCode('ECONNREFUSED');
    expect(isUnavailable('redis', refused)).toBe(true);
    expect(isUnavailable('postgres', refused)).toBe(true);
    expect(unavailableDependency(refused)).toBe('unknown');
  });

  test('the Redis client\'s own classes name Redis', () => {
    expect(unavailableDependency(new ClientOfflineError())).toBe('redis');
    expect(isUnavailable('postgres', new ClientOfflineError())).toBe(false);
  });

  test.each(['CONNECTION_CLOSED', 'CONNECT_TIMEOUT', '57P01', '08006', '53300'])('postgres.js code or SQLSTATE %s names PostgreSQL', (code) => {
    expect(unavailableDependency(withCode(code))).toBe('postgres');
    expect(isUnavailable('redis', withCode(code))).toBe(false);
  });

  test.each(['23505', '22P02', undefined])('code %s is about the data, not availability', (code) => {
    const err = code ? withCode(code) : new Error('boom');
    expect(unavailableDependency(err)).toBeNull();
    expect(isUnavailable('postgres', err)).toBe(false);
  });
});

describe('Redis out of memory', () => {
  const oom = () => new ErrorReply("OOM command not allowed when used memory > 'maxmemory'.");

  test('an OOM refusal is an outage of Redis, and the command certainly did not run', () => {
    expect(isUnavailable('redis', oom())).toBe(true);
    expect(unavailableDependency(oom())).toBe('redis');
    expect(neverSent(oom())).toBe(true);
  });

  test('answers as a full queue (503 queue_full), not as Redis being down', () => {
    const err = unavailableError('redis', oom());
    expect(err.code).toBe('queue_full');
    expect(err.status).toBe(503);
  });

  test('other error replies are not outages', () => {
    expect(isUnavailable('redis', new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
  });
});

describe('calling a dependency', () => {
  test('turns its unavailability into a 503 naming it, keeping the cause', async () => {
    const cause = withCode('ECONNRESET');
    const err = await calling('redis', Promise.reject(cause)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).code).toBe('redis_unavailable');
    expect((err as ServiceUnavailableError).cause).toBe(cause);
  });

  test('passes other errors and results through untouched', async () => {
    const unique = withCode('23505');
    expect(await calling('postgres', Promise.reject(unique)).catch((e: unknown) => e)).toBe(unique);
    expect(await calling('postgres', Promise.resolve(7))).toBe(7);
  });
});

describe('whether a failed Redis command may have run', () => {
  test('offline, or refused at connect: it never reached Redis', () => {
    expect(neverSent(new ClientOfflineError())).toBe(true);
    expect(neverSent(withCode('ECONNREFUSED'))).toBe(true);
  });

  test('the connection lost with the command in flight: Redis may have run it', () => {
    expect(neverSent(new SocketClosedUnexpectedlyError())).toBe(false);
    expect(neverSent(withCode('ECONNRESET'))).toBe(false);
  });
});
