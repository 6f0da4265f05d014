import { lookup } from 'node:dns/promises';
import { SourceForbiddenError, SourceUnreachableError } from '../errors.ts';
import { classifyAddress, isIpLiteral, parseNetwork, type AddressVerdict } from './address-class.ts';

/**
 * The SSRF guard, shared by everything that opens a connection to an address
 * a user chose (images by URL, webhooks). It resolves a URL's host name once,
 * judges every address it resolves to, and hands back only checked addresses:
 * guardedFetch connects to those and never looks the name up again, so DNS
 * rebinding cannot swap in another address between the check and the connect.
 *
 *   const guard = createSsrfGuard({ allowNetworks: config.fetchAllowNetworks, allowPorts: config.fetchAllowPorts });
 *   const check = await guard.checkUrl(url);          // { ok: true, target } | { ok: false, refusal }
 *   const fetch = createGuardedFetch(guard);          // shared/net/guarded-fetch.ts
 *   const res = await fetch(url, { timeoutMs, maxBytes, maxRedirects, method: 'POST', headers, body });
 *
 * Failures are the source_* errors of shared/errors.ts, each with its
 * `permanent` flag, so a worker's consumer retries or dead-letters them.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. Tests inject their own; the default asks the system (getaddrinfo: /etc/hosts, then DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface GuardPolicy {
  /** CIDRs (FETCH_ALLOW_NETWORKS) whose addresses are allowed although their range is refused. */
  allowNetworks: readonly string[];
  /** Ports (FETCH_ALLOW_PORTS) allowed besides 80 and 443. */
  allowPorts: readonly number[];
  resolve?: Resolver;
}

/** A URL the guard let through: connect to `addresses` (all checked), and to nothing else. */
export interface CheckedTarget {
  url: URL;
  /** The host as the URL names it, IPv6 without brackets: the Host header and the TLS server name. */
  hostname: string;
  port: number;
  addresses: ResolvedAddress[];
}

export interface Refusal {
  reason: 'scheme' | 'port' | 'address';
  /** Says what was refused and why, fit for a 422 or a job's error. */
  message: string;
  /** For `address`: the verdict on every address the host named or resolved to. */
  verdicts?: AddressVerdict[];
}

export type CheckResult = { ok: true; target: CheckedTarget } | { ok: false; refusal: Refusal };

export interface SsrfGuard {
  /**
   * Checks a URL: http or https, port 80, 443 or an allowed one, and every
   * address of its host allowed (one refused address refuses the URL).
   * Resolves the name once. Throws SourceUnreachableError when the name does
   * not resolve (permanent for a name that does not exist) and a TypeError
   * for a string that is not a URL.
   */
  checkUrl(url: string | URL): Promise<CheckResult>;
  /** checkUrl, with a refusal thrown as SourceForbiddenError (`field` names the URL's form field). */
  allowedTarget(url: string | URL, field?: string): Promise<CheckedTarget>;
}

const DEFAULT_PORTS = { 'http:': 80, 'https:': 443 } as const;

/** Why an address is refused, in words: `range` is ipaddr.js's name. */
function describe(v: AddressVerdict): string {
  const inside = v.embedded ? ` carrying ${v.embedded}` : '';
  return `${v.address} (${v.range}${inside})`;
}

export function createSsrfGuard(policy: GuardPolicy): SsrfGuard {
  const allow = policy.allowNetworks.map(parseNetwork);
  const ports = new Set([80, 443, ...policy.allowPorts]);
  const resolve = policy.resolve ?? systemResolver;

  async function addressesOf(hostname: string): Promise<ResolvedAddress[]> {
    if (isIpLiteral(hostname)) return [{ address: hostname, family: hostname.includes(':') ? 6 : 4 }];
    let found: ResolvedAddress[];
    try {
      found = await resolve(hostname);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // ENOTFOUND is an answer (no such name); EAI_AGAIN, timeouts and the rest are a resolver having trouble.
      throw new SourceUnreachableError(`the host name ${hostname} does not resolve (${code ?? 'lookup failed'})`, {
        permanent: code === 'ENOTFOUND',
        cause: err,
      });
    }
    if (found.length === 0) throw new SourceUnreachableError(`the host name ${hostname} resolves to no address`, { permanent: true });
    return found;
  }

  async function checkUrl(input: string | URL): Promise<CheckResult> {
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, refusal: { reason: 'scheme', message: `only http and https URLs are fetched, got ${url.protocol}` } };
    }
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
    if (!ports.has(port)) {
      return { ok: false, refusal: { reason: 'port', message: `port ${port} is refused: only 80, 443 and FETCH_ALLOW_PORTS are fetched` } };
    }
    // WHATWG URL has already turned 2130706433, 0x7f.1 and 0177.1 into dotted IPv4.
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = await addressesOf(hostname);
    const verdicts = addresses.map((a) => classifyAddress(a.address, allow));
    const refused = verdicts.filter((v) => !v.allowed);
    if (refused.length > 0) {
      const via = isIpLiteral(hostname) ? '' : ` (${hostname} resolves to ${verdicts.map((v) => v.address).join(', ')})`;
      return {
        ok: false,
        refusal: {
          reason: 'address',
          message: `the address ${refused.map(describe).join(', ')} is not a public one and is not in FETCH_ALLOW_NETWORKS${via}`,
          verdicts,
        },
      };
    }
    return { ok: true, target: { url, hostname, port, addresses } };
  }

  return {
    checkUrl,
    async allowedTarget(url, field = 'url') {
      const result = await checkUrl(url);
      if (!result.ok) throw new SourceForbiddenError(result.refusal.message, field);
      return result.target;
    },
  };
}
