import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { SourceHttpError, SourceTimeoutError, SourceTooLargeError, SourceUnreachableError } from '../errors.ts';
import type { CheckedTarget, SsrfGuard } from './ssrf-guard.ts';

export interface GuardedFetchOptions {
  /** The whole fetch: every connection, redirect and body byte (FETCH_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most body bytes read; a longer body (or a Content-Length over it) fails with SourceTooLargeError. */
  maxBytes: number;
  /** Redirects followed, each target checked by the guard again (FETCH_MAX_REDIRECTS); 0 returns a 3xx as it is. */
  maxRedirects: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Extra trusted CA certificates (PEM): a private CA in a test or an internal deployment. */
  ca?: string;
}

export interface GuardedResponse {
  status: number;
  headers: Headers;
  /** The URL that answered, after redirects. */
  url: string;
  /** The body, at most `maxBytes`. */
  body: Uint8Array;
  redirects: number;
}

export type GuardedFetch = (url: string | URL, options: GuardedFetchOptions) => Promise<GuardedResponse>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// Network failures by their code: all transient (a server restarting, a flaky
// route) except a certificate that does not verify, which retrying cannot fix.
const isCertificateError = (code: string) => code.startsWith('ERR_TLS_') || code.includes('CERT') || code.includes('SELF_SIGNED');

function networkError(err: unknown, url: URL): Error {
  if (err instanceof SourceTimeoutError || err instanceof SourceTooLargeError) return err;
  const code = (err as { code?: string }).code ?? 'unknown';
  const what = `${url.protocol}//${url.host}`;
  if (isCertificateError(code)) return new SourceUnreachableError(`${what}: its TLS certificate does not verify (${code})`, { permanent: true, cause: err });
  return new SourceUnreachableError(`${what}: the connection failed (${code})`, { cause: err });
}

/**
 * The connection goes to the guard's checked addresses only: node:http calls
 * `lookup` instead of resolving the host itself, and this one answers from
 * the check, so the Host header and the TLS server name stay the URL's own.
 * (Verified under Bun: http.request honours `lookup`; https verifies the
 * certificate against the URL's host, see guarded-fetch.test.ts.)
 */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, target.addresses);
    else callback(null, target.addresses[0]!.address, target.addresses[0]!.family);
  }) as LookupFunction;
}

/** One request to a checked target; resolves with the response once its headers are in. */
function requestOnce(
  target: CheckedTarget,
  o: GuardedFetchOptions & { method: string; headers: Record<string, string> },
  deadline: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { url } = target;
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request({
      protocol: url.protocol,
      host: target.hostname,
      port: target.port,
      path: `${url.pathname}${url.search}`,
      method: o.method,
      headers: o.headers,
      lookup: pinnedLookup(target),
      servername: url.protocol === 'https:' && target.addresses[0]!.address !== target.hostname ? target.hostname : undefined,
      ca: o.ca,
      agent: false,
    });
    const connectTimer = setTimeout(
      () => req.destroy(new SourceTimeoutError(`${url.host}: no answer within ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    const onDeadline = () => req.destroy(deadline.reason);
    deadline.addEventListener('abort', onDeadline, { once: true });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      // From here the body reader watches the deadline.
      deadline.removeEventListener('abort', onDeadline);
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      deadline.removeEventListener('abort', onDeadline);
      reject(networkError(err, url));
    });
    if (deadline.aborted) return req.destroy(deadline.reason);
    req.end(o.body);
  });
}

/** Reads a response body, stopping (and closing the connection) as soon as it passes `maxBytes`. */
function readLimited(res: http.IncomingMessage, url: URL, maxBytes: number, deadline: AbortSignal): Promise<Uint8Array> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(new SourceTooLargeError(`${url.host}: the body is ${declared} bytes (Content-Length); at most ${maxBytes} are accepted`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      // Destroying the response emits 'aborted' and 'error' at once: the first reason is the one that counts.
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      res.destroy();
      reject(err);
    };
    const onDeadline = () => fail(deadline.reason as Error);
    deadline.addEventListener('abort', onDeadline, { once: true });
    if (deadline.aborted) return onDeadline();
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Checked before keeping the chunk: never more than maxBytes held.
      if (size > maxBytes) return fail(new SourceTooLargeError(`${url.host}: the body passed ${maxBytes} bytes; reading stopped there`));
      chunks.push(chunk);
    });
    res.on('end', () => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      resolve(new Uint8Array(Buffer.concat(chunks, size)));
    });
    res.on('error', (err) => fail(networkError(err, url)));
    res.on('aborted', () => fail(networkError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), url)));
  });
}

/** The name lookup counts against the deadline too. */
function untilDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) return Promise.reject(deadline.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(deadline.reason);
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

function toHeaders(res: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  return headers;
}

/**
 * A fetch for addresses users choose. Every URL, the first and each redirect
 * target, goes through `guard` (a refusal throws SourceForbiddenError) and
 * the connection goes to the addresses it checked. Network failures throw
 * SourceUnreachableError, deadlines SourceTimeoutError, a body over maxBytes
 * SourceTooLargeError, more than maxRedirects redirects SourceHttpError; any
 * other answer, 4xx and 5xx included, is returned for the caller to judge.
 */
export function createGuardedFetch(guard: SsrfGuard): GuardedFetch {
  return async (input, options) => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new SourceTimeoutError(`the fetch took longer than ${options.timeoutMs} ms (FETCH_TIMEOUT_MS)`)), options.timeoutMs);
    try {
      return await follow(guard, new URL(input), options, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function follow(guard: SsrfGuard, url: URL, options: GuardedFetchOptions, deadline: AbortSignal): Promise<GuardedResponse> {
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body;
  let headers = { ...options.headers };
  for (let redirects = 0; ; redirects++) {
    const target = await untilDeadline(guard.allowedTarget(url), deadline);
    const res = await requestOnce(target, { ...options, method, headers, body }, deadline);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECTS.has(status) || location === undefined || options.maxRedirects === 0) {
      return { status, headers: toHeaders(res), url: url.href, body: await readLimited(res, url, options.maxBytes, deadline), redirects };
    }
    res.destroy();
    if (redirects >= options.maxRedirects) {
      throw new SourceHttpError(`${url.host}: more than ${options.maxRedirects} redirects (FETCH_MAX_REDIRECTS); the last answered ${status}`, status);
    }
    const next = new URL(location, url);
    // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    // Credentials meant for one origin are not handed to another.
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['authorization', 'cookie'].includes(k.toLowerCase())));
    }
    url = next;
  }
}
