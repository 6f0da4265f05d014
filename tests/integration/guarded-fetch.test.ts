import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  SourceForbiddenError,
  SourceHttpError,
  SourceTimeoutError,
  SourceTooLargeError,
  SourceUnreachableError,
} from '../../shared/errors.ts';
import { createGuardedFetch, type GuardedFetchOptions } from '../../shared/net/guarded-fetch.ts';
import { createSsrfGuard, type Resolver } from '../../shared/net/ssrf-guard.ts';
import { withHostsEntries } from '../support/etc-hosts.ts';
import { freePort } from '../support/ports.ts';

const tls = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url)), 'utf8');
const CERT = tls('img.test.crt');
const KEY = tls('img.test.key');

/** What the test servers saw: the Host header of every request, by path. */
const seen: Array<{ path: string; host: string | null }> = [];
let bodyBytesSent = 0;

function routes(req: Request): Response {
  const url = new URL(req.url);
  seen.push({ path: url.pathname, host: req.headers.get('host') });
  switch (url.pathname) {
    case '/photo':
      return new Response('image bytes', { headers: { 'content-type': 'image/jpeg' } });
    case '/echo':
      return Response.json({ method: req.method, host: req.headers.get('host'), auth: req.headers.get('authorization') });
    case '/to-metadata':
      return new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    case '/to-private-name':
      return new Response(null, { status: 301, headers: { location: `http://private.test:${url.port}/photo` } });
    case '/relative':
      return new Response(null, { status: 307, headers: { location: '/photo' } });
    case '/loop':
      return new Response(null, { status: 302, headers: { location: '/loop' } });
    case '/status/500':
      return new Response('down', { status: 500 });
    case '/declared-large':
      return new Response('x'.repeat(2000));
    case '/endless':
      // Chunked, never ending: the reader must stop at its limit and hang up.
      return new Response(
        new ReadableStream({
          pull(c) {
            bodyBytesSent += 16 * 1024;
            c.enqueue(new Uint8Array(16 * 1024));
          },
        }),
      );
    case '/stall-headers':
      return new Promise<Response>(() => {}) as unknown as Response;
    case '/stall-body':
      return new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(10)) }));
  }
  return new Response('no such path', { status: 404 });
}

let server: ReturnType<typeof Bun.serve>;
let secure: ReturnType<typeof Bun.serve>;
let base: string;

// Names answered by the test's own resolver, so nothing leaves the machine.
let lookups: string[] = [];
const names: Record<string, string[]> = { 'img.test': ['127.0.0.1'], 'private.test': ['10.0.0.7'], 'mixed.test': ['127.0.0.1', '10.0.0.7'] };
const resolve: Resolver = async (hostname) => {
  lookups.push(hostname);
  const found = names[hostname];
  if (!found) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: 4 as const }));
};

let guardedFetch: ReturnType<typeof createGuardedFetch>;
const limits: GuardedFetchOptions = { timeoutMs: 2000, maxBytes: 1000, maxRedirects: 3 };

beforeAll(() => {
  server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: routes });
  secure = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: routes, tls: { cert: CERT, key: KEY } });
  base = `http://img.test:${server.port}`;
  const guard = createSsrfGuard({ allowNetworks: ['127.0.0.1/32'], allowPorts: [server.port!, secure.port!], resolve });
  guardedFetch = createGuardedFetch(guard);
});

afterAll(() => {
  server.stop(true);
  secure.stop(true);
});

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the fetch to fail'); }, (e) => e);

describe('guardedFetch connects to the checked address only', () => {
  test('a name is resolved once, by the guard, and the Host header stays the name', async () => {
    lookups = [];
    const res = await guardedFetch(`${base}/echo`, limits);
    expect(res.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(res.body))).toEqual({ method: 'GET', host: `img.test:${server.port}`, auth: null });
    // img.test is unknown to the system resolver: a second lookup by node:http would have failed with ENOTFOUND.
    expect(lookups).toEqual(['img.test']);
  });

  test('https verifies the certificate against the URL\'s name while connecting to the checked address', async () => {
    const res = await guardedFetch(`https://img.test:${secure.port}/echo`, { ...limits, ca: CERT });
    expect(res.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(res.body)).host).toBe(`img.test:${secure.port}`);
  });

  test('https to a certificate that names another host fails permanently', async () => {
    names['other.test'] = ['127.0.0.1'];
    const err = await failure(guardedFetch(`https://other.test:${secure.port}/photo`, { ...limits, ca: CERT }));
    expect(err).toBeInstanceOf(SourceUnreachableError);
    expect(err.permanent).toBe(true);
  });

  test('https to an untrusted (self-signed) certificate fails permanently', async () => {
    const err = await failure(guardedFetch(`https://img.test:${secure.port}/photo`, limits));
    expect(err).toBeInstanceOf(SourceUnreachableError);
    expect(err.permanent).toBe(true);
  });

  test('method, headers and body are sent as given', async () => {
    const res = await guardedFetch(`${base}/echo`, { ...limits, method: 'POST', headers: { authorization: 'Bearer x' }, body: '{}' });
    expect(JSON.parse(new TextDecoder().decode(res.body))).toMatchObject({ method: 'POST', auth: 'Bearer x' });
  });

  test('an error status is returned for the caller to judge', async () => {
    expect((await guardedFetch(`${base}/status/500`, limits)).status).toBe(500);
    expect((await guardedFetch(`${base}/nothing`, limits)).status).toBe(404);
  });
});

describe('guardedFetch refuses', () => {
  test('a name that resolves to one allowed and one refused address, before connecting', async () => {
    seen.length = 0;
    const err = await failure(guardedFetch(`http://mixed.test:${server.port}/photo`, limits));
    expect(err).toBeInstanceOf(SourceForbiddenError);
    expect(err.message).toContain('10.0.0.7 (private)');
    expect(seen).toEqual([]);
  });

  test('a redirect from an allowed address to the metadata address', async () => {
    const err = await failure(guardedFetch(`${base}/to-metadata`, limits));
    expect(err).toBeInstanceOf(SourceForbiddenError);
    expect(err.message).toContain('169.254.169.254 (linkLocal)');
  });

  test('a redirect to a name that resolves to a private address', async () => {
    const err = await failure(guardedFetch(`${base}/to-private-name`, limits));
    expect(err).toBeInstanceOf(SourceForbiddenError);
    expect(err.message).toContain('private.test resolves to 10.0.0.7');
  });

  test('a port that is not allowed', async () => {
    const err = await failure(guardedFetch(`http://img.test:${server.port! + 1}/photo`, limits));
    expect(err).toBeInstanceOf(SourceForbiddenError);
  });
});

describe('guardedFetch redirects', () => {
  test('follows a relative redirect, checked again', async () => {
    lookups = [];
    const res = await guardedFetch(`${base}/relative`, limits);
    expect(res.status).toBe(200);
    expect(res.redirects).toBe(1);
    expect(res.url).toBe(`${base}/photo`);
    expect(lookups).toEqual(['img.test', 'img.test']);
  });

  test('more than maxRedirects is a permanent source_http_error', async () => {
    const err = await failure(guardedFetch(`${base}/loop`, limits));
    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.message).toContain('more than 3 redirects');
    expect(err.permanent).toBe(true);
  });

  test('with maxRedirects 0 a redirect is returned as it is', async () => {
    const res = await guardedFetch(`${base}/relative`, { ...limits, maxRedirects: 0 });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/photo');
  });
});

describe('guardedFetch limits', () => {
  test('a Content-Length over maxBytes is refused before reading', async () => {
    const err = await failure(guardedFetch(`${base}/declared-large`, limits));
    expect(err).toBeInstanceOf(SourceTooLargeError);
    expect(err.message).toContain('2000 bytes (Content-Length)');
  });

  test('an endless body is cut at maxBytes and the connection closed', async () => {
    bodyBytesSent = 0;
    const err = await failure(guardedFetch(`${base}/endless`, { ...limits, maxBytes: 100_000 }));
    expect(err).toBeInstanceOf(SourceTooLargeError);
    const sentThen = bodyBytesSent;
    await Bun.sleep(300);
    // The server stops producing once the client hung up (a little buffered in flight is fine).
    expect(bodyBytesSent - sentThen).toBeLessThan(4 * 1024 * 1024);
  });

  test('no response headers within the timeout is a transient source_timeout', async () => {
    const err = await failure(guardedFetch(`${base}/stall-headers`, { ...limits, timeoutMs: 300 }));
    expect(err).toBeInstanceOf(SourceTimeoutError);
    expect(err.permanent).toBe(false);
  });

  test('a body that stalls past the total timeout is a source_timeout', async () => {
    const err = await failure(guardedFetch(`${base}/stall-body`, { ...limits, timeoutMs: 300 }));
    expect(err).toBeInstanceOf(SourceTimeoutError);
  });

  test('a refused connection is a transient source_unreachable', async () => {
    const closed = await freePort();
    const guard = createSsrfGuard({ allowNetworks: ['127.0.0.1/32'], allowPorts: [closed], resolve });
    const err = await failure(createGuardedFetch(guard)(`http://127.0.0.1:${closed}/photo`, limits));
    expect(err).toBeInstanceOf(SourceUnreachableError);
    expect(err.permanent).toBe(false);
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('the system resolver (/etc/hosts entries made by the test)', () => {
  test('a name resolving to loopback is refused without an allowance and fetched with one', async () => {
    const name = `kadr-ssrf-${process.pid}.test`;
    await withHostsEntries({ [name]: '127.0.0.1' }, async () => {
      const strict = createGuardedFetch(createSsrfGuard({ allowNetworks: [], allowPorts: [server.port!] }));
      const err = await failure(strict(`http://${name}:${server.port}/photo`, limits));
      expect(err).toBeInstanceOf(SourceForbiddenError);
      expect(err.message).toContain(`${name} resolves to 127.0.0.1`);
      const open = createGuardedFetch(createSsrfGuard({ allowNetworks: ['127.0.0.1/32'], allowPorts: [server.port!] }));
      const res = await open(`http://${name}:${server.port}/echo`, limits);
      expect(JSON.parse(new TextDecoder().decode(res.body)).host).toBe(`${name}:${server.port}`);
    });
    expect(await Bun.file('/etc/hosts').text()).not.toContain(name);
  });
});
