import { describe, expect, test } from 'bun:test';
import { ForbiddenError, KadrError, UnauthorizedError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { requireAdmin, type AdminAccess } from './admin-auth.ts';
import { isLoopbackAddress } from './peer-address.ts';

const TOKEN = 'a-token-of-twenty-chars';
const OPEN: AdminAccess = { adminToken: undefined, publicUrl: undefined };
const TOKENED: AdminAccess = { adminToken: TOKEN, publicUrl: undefined };

function request(opts: { url?: string; method?: string; headers?: Record<string, string> } = {}): Request {
  return new Request(opts.url ?? 'http://127.0.0.1:3000/api/admin/dead/1-0/retry', { method: opts.method ?? 'GET', headers: opts.headers });
}

function refusal(access: AdminAccess, req: Request, peer: string | undefined): KadrError | undefined {
  try {
    requireAdmin(access, req, peer);
  } catch (err) {
    return err as KadrError;
  }
  return undefined;
}

describe('requireAdmin with ADMIN_TOKEN set', () => {
  test('accepts the configured bearer token from any peer, whatever the scheme\'s case', () => {
    expect(refusal(TOKENED, request({ headers: { authorization: `Bearer ${TOKEN}` } }), '10.0.0.7')).toBeUndefined();
    expect(refusal(TOKENED, request({ headers: { authorization: `bearer ${TOKEN}` } }), undefined)).toBeUndefined();
  });

  test('refuses a missing header, another scheme and a wrong token with 401 unauthorized, even from loopback', () => {
    for (const h of [undefined, `Basic ${TOKEN}`, 'Bearer wrong-token-wrong-token', `Bearer ${TOKEN}x`, 'Bearer']) {
      const caught = refusal(TOKENED, request({ headers: h ? { authorization: h } : {} }), '127.0.0.1');
      expect(caught).toBeInstanceOf(UnauthorizedError);
      expect(caught!.status).toBe(401);
      expect(caught!.code).toBe('unauthorized');
    }
  });

  test('never takes the token from a cookie or the query string', () => {
    const cookie = request({ headers: { cookie: `token=${TOKEN}; authorization=Bearer ${TOKEN}` } });
    expect(refusal(TOKENED, cookie, '127.0.0.1')).toBeInstanceOf(UnauthorizedError);
    const query = request({ url: `http://127.0.0.1:3000/api/admin/stats?token=${TOKEN}&authorization=Bearer+${TOKEN}` });
    expect(refusal(TOKENED, query, '127.0.0.1')).toBeInstanceOf(UnauthorizedError);
  });
});

describe('requireAdmin without ADMIN_TOKEN', () => {
  test('serves loopback peers addressed by a loopback name', () => {
    for (const [url, peer] of [
      ['http://127.0.0.1:3000/api/admin/stats', '127.0.0.1'],
      ['http://localhost:3000/api/admin/stats', '::1'],
      ['http://[::1]:3000/api/admin/stats', '::ffff:127.0.0.1'],
    ] as const) {
      expect(refusal(OPEN, request({ url }), peer)).toBeUndefined();
    }
  });

  test('refuses any other peer, or an unknown one, with 403 loopback_only and a reason', () => {
    for (const peer of ['10.0.0.7', '192.168.1.20', '::ffff:10.0.0.7', 'fe80::1', '128.0.0.1', undefined]) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const caught = refusal(OPEN, request({ method, headers: { 'content-type': 'application/json' } }), peer);
        expect(caught).toBeInstanceOf(ForbiddenError);
        expect(caught!.status).toBe(403);
        expect(caught!.code).toBe('loopback_only');
        expect(caught!.message).toContain('ADMIN_TOKEN');
      }
    }
  });

  test('refuses a loopback peer that addressed another host name (DNS rebinding)', () => {
    const caught = refusal(OPEN, request({ url: 'http://evil.example:3000/api/admin/stats' }), '127.0.0.1');
    expect(caught?.code).toBe('loopback_only');
  });

  test('refuses a POST a cross-site form could send (no JSON content type) with 415 json_required', () => {
    for (const type of [undefined, 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
      const caught = refusal(OPEN, request({ method: 'POST', headers: type ? { 'content-type': type } : {} }), '127.0.0.1');
      expect(caught).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(caught!.status).toBe(415);
      expect(caught!.code).toBe('json_required');
    }
    const json = request({ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(refusal(OPEN, json, '127.0.0.1')).toBeUndefined();
  });
});

describe('requireAdmin and Origin', () => {
  test('refuses a foreign Origin with 403 foreign_origin, token or not', () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:3001']) {
      const headers = { origin, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      for (const access of [OPEN, TOKENED]) {
        const caught = refusal(access, request({ method: 'POST', headers }), '127.0.0.1');
        expect(caught).toBeInstanceOf(ForbiddenError);
        expect(caught!.status).toBe(403);
        expect(caught!.code).toBe('foreign_origin');
      }
    }
  });

  test('accepts the API\'s own origin and PUBLIC_URL\'s', () => {
    const own = request({ method: 'DELETE', headers: { origin: 'http://127.0.0.1:3000' } });
    expect(refusal(OPEN, own, '127.0.0.1')).toBeUndefined();
    const proxied = request({ method: 'DELETE', headers: { origin: 'https://kadr.example', authorization: `Bearer ${TOKEN}` } });
    expect(refusal({ adminToken: TOKEN, publicUrl: 'https://kadr.example/base/' }, proxied, '10.0.0.2')).toBeUndefined();
  });
});

describe('isLoopbackAddress', () => {
  test('knows 127.0.0.0/8, ::1 and IPv4-mapped loopback, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '1127.0.0.1', undefined]) expect(isLoopbackAddress(a)).toBe(false);
  });
});
