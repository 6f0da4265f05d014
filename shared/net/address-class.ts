import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
/** A parsed CIDR from FETCH_ALLOW_NETWORKS. */
export type Network = [Address, number];

/** What the guard decided about one address, and why. */
export interface AddressVerdict {
  /** The address in its canonical text form (`::ffff:7f00:1`, `127.0.0.1`). */
  address: string;
  allowed: boolean;
  /**
   * ipaddr.js's range name of the address that was judged (the IPv4 inside an
   * IPv4-mapped IPv6 address), or `ipv4Compatible` for the deprecated `::a.b.c.d`
   * form; `unicast` is the only range let through without an allowance.
   */
  range: string;
  /** The IPv4 address carried inside an IPv6 one, when there is one. */
  embedded?: string;
}

/**
 * Parses FETCH_ALLOW_NETWORKS-style CIDRs (`10.1.0.0/16`, `fd00::/8`); a bare
 * address is one host. Throws saying which entry is bad.
 */
export function parseNetwork(raw: string): Network {
  const text = raw.trim();
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text) as Network;
    const address = ipaddr.parse(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new Error(`expected a CIDR such as 10.0.0.0/8 or fd00::/8, got "${raw}"`);
  }
}

/** Whether `text` is an IP address literal (IPv6 without brackets). */
export function isIpLiteral(text: string): boolean {
  return ipaddr.isValid(text);
}

/**
 * The IPv4 address an IPv6 one carries in a translation or tunnelling form
 * (NAT64 64:ff9b::/96, SIIT ::ffff:0:a.b.c.d, 6to4 2002:aabb:ccdd::, the
 * deprecated ::a.b.c.d), for the refusal message: these forms are refused
 * whatever they carry, since where they lead depends on a gateway.
 */
function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const b = address.toByteArray();
  if (range === 'rfc6052' || range === 'rfc6145' || range === 'ipv4Compatible') return new ipaddr.IPv4(b.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(b.slice(2, 6));
  return undefined;
}

const inAny = (address: Address, networks: readonly Network[]) =>
  networks.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));

/**
 * Judges one resolved or literal address. Everything but ipaddr.js's `unicast`
 * range is refused (loopback, private, link-local with the cloud metadata
 * addresses, carrier-grade NAT, multicast, broadcast, unspecified, reserved,
 * unique-local, NAT64/6to4/Teredo…) unless it lies in one of `allow`. An
 * IPv4-mapped address (::ffff:a.b.c.d) reaches its IPv4 address, so it is
 * judged, and matched against `allow`, as that address.
 */
export function classifyAddress(text: string, allow: readonly Network[]): AddressVerdict {
  const parsed = ipaddr.parse(text);
  let judged: Address = parsed;
  let embedded: ipaddr.IPv4 | undefined;
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    judged = embedded = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  let range: string = judged.range();
  // ipaddr.js calls ::a.b.c.d plain unicast; some stacks still route it to the IPv4 address.
  if (judged.kind() === 'ipv6' && range === 'unicast' && (judged as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) {
    range = 'ipv4Compatible';
  }
  if (!embedded && judged.kind() === 'ipv6') embedded = embeddedIpv4(judged as ipaddr.IPv6, range);
  const allowed = range === 'unicast' || inAny(parsed, allow) || inAny(judged, allow);
  return { address: parsed.toString(), allowed, range, ...(embedded ? { embedded: embedded.toString() } : {}) };
}
