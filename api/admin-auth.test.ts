import { describe, expect, test } from 'bun:test';
import { UnauthorizedError } from '../shared/errors.ts';
import { requireAdmin } from './admin-auth.ts';

const TOKEN = 'a-token-of-twenty-chars';
const headers = (authorization?: string) => new Headers(authorization ? { authorization } : {});

describe('requireAdmin', () => {
  test('lets everything through when no token is configured', () => {
    expect(() => requireAdmin(undefined, headers())).not.toThrow();
  });

  test('accepts the configured bearer token, whatever the scheme\'s case', () => {
    expect(() => requireAdmin(TOKEN, headers(`Bearer ${TOKEN}`))).not.toThrow();
    expect(() => requireAdmin(TOKEN, headers(`bearer ${TOKEN}`))).not.toThrow();
  });

  test('refuses a missing header, another scheme and a wrong token with 401 unauthorized', () => {
    for (const h of [undefined, `Basic ${TOKEN}`, 'Bearer wrong-token-wrong-token', `Bearer ${TOKEN}x`, 'Bearer']) {
      let caught: unknown;
      try {
        requireAdmin(TOKEN, headers(h));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(UnauthorizedError);
      expect((caught as UnauthorizedError).status).toBe(401);
      expect((caught as UnauthorizedError).code).toBe('unauthorized');
    }
  });
});
