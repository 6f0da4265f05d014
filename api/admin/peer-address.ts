import { classifyAddress, isIpLiteral } from '../../shared/net/address-class.ts';

/**
 * The TCP peer of each request being served, as Bun's `server.requestIP`
 * tells it. A Request carries no peer address of its own, so main.ts records
 * it here before handing the request to the app; tests that drive
 * `app.handle` record the peer they want to play. A request with nothing
 * recorded has no known peer, which the admin check treats as not loopback.
 */
export class PeerAddresses {
  private readonly peers = new WeakMap<Request, string>();

  record(request: Request, address: string | undefined): Request {
    if (address !== undefined) this.peers.set(request, address);
    return request;
  }

  of(request: Request): string | undefined {
    return this.peers.get(request);
  }
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 form, as the SSRF guard's classifier names them. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && isIpLiteral(address) && classifyAddress(address, []).range === 'loopback';
}

/** A host name that can only mean this machine: `localhost` (and `*.localhost`), 127.0.0.0/8, [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
