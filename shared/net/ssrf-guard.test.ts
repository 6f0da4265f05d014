import { describe, expect, test } from 'bun:test';
import { SourceForbiddenError, SourceUnreachableError } from '../errors.ts';
import { createSsrfGuard, type Resolver } from './ssrf-guard.ts';

// A resolver from a table: no network, and a name answers exactly what the test says.
const table: Record<string, string[]> = {};
const resolve: Resolver = async (hostname) => {
  const found = table[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const guard = createSsrfGuard({ allowNetworks: [], allowPorts: [], resolve });

/** Every class the guard must refuse, with one address of it and the range ipaddr.js gives it. */
const REFUSED: Array<[string, string, string]> = [
  ['loopback', '127.0.0.1', 'loopback'],
  ['loopback, elsewhere in 127/8', '127.8.9.10', 'loopback'],
  ['RFC 1918 10/8', '10.1.2.3', 'private'],
  ['RFC 1918 172.16/12', '172.31.255.254', 'private'],
  ['RFC 1918 192.168/16', '192.168.0.1', 'private'],
  ['link-local, the cloud metadata address', '169.254.169.254', 'linkLocal'],
  ['carrier-grade NAT (Alibaba metadata)', '100.100.100.200', 'carrierGradeNat'],
  ['multicast', '224.0.0.1', 'multicast'],
  ['broadcast', '255.255.255.255', 'broadcast'],
  ['unspecified', '0.0.0.0', 'unspecified'],
  ['IETF protocol assignments (Oracle metadata 192.0.0.192)', '192.0.0.192', 'reserved'],
  ['reserved 240/4', '240.0.0.1', 'reserved'],
  ['IPv6 loopback', '::1', 'loopback'],
  ['IPv6 unspecified', '::', 'unspecified'],
  ['IPv6 unique-local fc00::/7', 'fc00::1', 'uniqueLocal'],
  ['IPv6 unique-local, the AWS metadata address', 'fd00:ec2::254', 'uniqueLocal'],
  ['IPv6 link-local fe80::/10', 'fe80::1', 'linkLocal'],
  ['IPv6 multicast', 'ff02::1', 'multicast'],
  ['IPv4-mapped loopback', '::ffff:127.0.0.1', 'loopback'],
  ['IPv4-mapped metadata address', '::ffff:a9fe:a9fe', 'linkLocal'],
  ['IPv4-mapped private, hex form', '::ffff:c0a8:1', 'private'],
  ['NAT64 carrying 10.0.0.1', '64:ff9b::a00:1', 'rfc6052'],
  ['SIIT translated carrying 127.0.0.1', '::ffff:0:7f00:1', 'rfc6145'],
  ['6to4 carrying 127.0.0.1', '2002:7f00:1::1', '6to4'],
  ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['deprecated IPv4-compatible ::127.0.0.1', '::7f00:1', 'ipv4Compatible'],
];

const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);

describe('the SSRF guard refuses every non-public class', () => {
  for (const [what, address, range] of REFUSED) {
    test(`by literal address: ${what} (${address})`, async () => {
      const result = await guard.checkUrl(`http://${bracket(address)}/photo.jpg`);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.refusal.reason).toBe('address');
      expect(result.refusal.verdicts?.[0]?.range).toBe(range);
      expect(result.refusal.message).toContain(range);
    });

    test(`by a host name resolving to it: ${what}`, async () => {
      const name = `${range.toLowerCase()}-${address.replace(/[:.]/g, '-')}.test`;
      table[name] = [address];
      const result = await guard.checkUrl(`https://${name}/photo.jpg`);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.message).toContain(`${name} resolves to`);
    });
  }

  test('the embedded IPv4 address is named in the refusal', async () => {
    const result = await guard.checkUrl('http://[64:ff9b::a00:1]/');
    expect(!result.ok && result.refusal.message).toContain('carrying 10.0.0.1');
  });
});

describe('WHATWG URL spellings of IPv4 reach the guard as dotted addresses', () => {
  for (const host of ['2130706433', '0x7f.1', '0x7f000001', '0177.0.0.1', '127.1', '017700000001', '0']) {
    test(`http://${host}/ is refused as a non-public address`, async () => {
      const result = await guard.checkUrl(`http://${host}/`);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(['loopback', 'unspecified']).toContain(result.refusal.verdicts![0]!.range);
    });
  }
});

describe('a name with several addresses', () => {
  test('one public and one refused address: refused, naming the refused one', async () => {
    table['mixed.test'] = ['93.184.216.34', '10.0.0.5'];
    const result = await guard.checkUrl('http://mixed.test/');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refusal.message).toContain('10.0.0.5 (private)');
      expect(result.refusal.message).not.toContain('93.184.216.34 (');
    }
  });

  test('all public: allowed, and every address is handed on for the connection', async () => {
    table['public.test'] = ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'];
    const result = await guard.checkUrl('https://public.test/a.jpg');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.target.addresses.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
      expect(result.target.hostname).toBe('public.test');
      expect(result.target.port).toBe(443);
    }
  });
});

describe('schemes and ports', () => {
  test('public addresses on 80 and 443 pass', async () => {
    expect((await guard.checkUrl('http://8.8.8.8/')).ok).toBe(true);
    expect((await guard.checkUrl('https://8.8.8.8:443/')).ok).toBe(true);
    expect((await guard.checkUrl('http://[2606:4700::1111]:80/')).ok).toBe(true);
  });

  test('any other port is refused, even on a public address', async () => {
    for (const url of ['http://8.8.8.8:8080/', 'https://8.8.8.8:22/', 'http://8.8.8.8:6379/', 'https://8.8.8.8:8443/x']) {
      const result = await guard.checkUrl(url);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.reason).toBe('port');
    }
  });

  test('schemes other than http and https are refused', async () => {
    for (const url of ['ftp://8.8.8.8/', 'file:///etc/passwd', 'gopher://8.8.8.8/', 'data:image/png;base64,AAAA']) {
      const result = await guard.checkUrl(url);
      expect(!result.ok && result.refusal.reason).toBe('scheme');
    }
  });
});

describe('FETCH_ALLOW_NETWORKS and FETCH_ALLOW_PORTS', () => {
  const open = createSsrfGuard({ allowNetworks: ['127.0.0.1/32', '10.20.0.0/16'], allowPorts: [8080], resolve });

  test('open exactly the networks and ports named', async () => {
    expect((await open.checkUrl('http://127.0.0.1:8080/')).ok).toBe(true);
    expect((await open.checkUrl('http://10.20.3.4/')).ok).toBe(true);
    expect((await open.checkUrl('http://127.0.0.2:8080/')).ok).toBe(false);
    expect((await open.checkUrl('http://10.21.0.1/')).ok).toBe(false);
    expect((await open.checkUrl('http://127.0.0.1:8081/')).ok).toBe(false);
  });

  test('an IPv4-mapped address is matched as its IPv4 address', async () => {
    expect((await open.checkUrl('http://[::ffff:127.0.0.1]:8080/')).ok).toBe(true);
  });

  test('the IPv6 loopback stays refused when only the IPv4 one is allowed', async () => {
    expect((await open.checkUrl('http://[::1]:8080/')).ok).toBe(false);
  });
});

describe('allowedTarget and name failures', () => {
  test('a refusal is thrown as SourceForbiddenError, a 422 naming the field', async () => {
    const err = await guard.allowedTarget('http://169.254.169.254/latest/meta-data/', 'url[2]').catch((e) => e);
    expect(err).toBeInstanceOf(SourceForbiddenError);
    expect(err.code).toBe('source_forbidden');
    expect(err.status).toBe(422);
    expect(err.field).toBe('url[2]');
    expect(err.permanent).toBe(true);
  });

  test('a name that does not exist is a permanent SourceUnreachableError; a resolver in trouble a transient one', async () => {
    const missing = await guard.checkUrl('http://no-such-name.test/').catch((e) => e);
    expect(missing).toBeInstanceOf(SourceUnreachableError);
    expect(missing.permanent).toBe(true);
    const flaky = createSsrfGuard({
      allowNetworks: [],
      allowPorts: [],
      resolve: async () => {
        throw Object.assign(new Error('queryA EAI_AGAIN'), { code: 'EAI_AGAIN' });
      },
    });
    const trouble = await flaky.checkUrl('http://example.test/').catch((e) => e);
    expect(trouble).toBeInstanceOf(SourceUnreachableError);
    expect(trouble.permanent).toBe(false);
  });

  test('a resolved name is looked up once per check', async () => {
    let calls = 0;
    const counting = createSsrfGuard({ allowNetworks: [], allowPorts: [], resolve: async () => (calls++, [{ address: '8.8.8.8', family: 4 }]) });
    await counting.checkUrl('http://once.test/');
    expect(calls).toBe(1);
  });
});
