import { canonicalIp, parseCidr, parseIp } from './address.js';
import type { IpAddress } from './address.js';
import { buildCidrSet } from './cidr-set.js';

/**
 * Which addresses a server-side request made on someone else's behalf may reach (SSRF). A
 * tenant admin who can make the server fetch a URL must not be able to read the cloud metadata
 * service, the operator's internal network or the server itself, nor learn which of those
 * exist. Threat feeds use this today; webhooks (DESIGN §17) are meant to use the same module
 * (with `adapters/net/guarded-fetch.ts`), so there is one list to keep right.
 *
 * Built from the IANA IPv4 and IPv6 special-purpose address registries: everything not
 * globally reachable is refused, documentation and benchmarking ranges included (no real feed
 * lives there, and some networks route them internally). IPv6 outside 2000::/3 is unallocated.
 */
export type AddressClass =
  | 'public' | 'unspecified' | 'loopback' | 'private' | 'shared' | 'link_local' | 'metadata'
  | 'multicast' | 'documentation' | 'benchmarking' | 'reserved' | 'broadcast';

const CLASSES: readonly AddressClass[] = [
  'public', 'unspecified', 'loopback', 'private', 'shared', 'link_local', 'metadata',
  'multicast', 'documentation', 'benchmarking', 'reserved', 'broadcast',
];

// Most specific network wins (the CIDR set's rule), so a wide default is refined below it.
const RANGES: readonly (readonly [string, AddressClass])[] = [
  ['0.0.0.0/0', 'public'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'], // carrier-grade NAT; Alibaba's metadata service sits at 100.100.100.200
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments; Oracle's metadata is 192.0.0.192
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // 6to4 relay anycast, deprecated
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['255.255.255.255/32', 'broadcast'],
  ['::/0', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2000::/3', 'public'],
  ['2001::/23', 'reserved'], // IETF protocol assignments, Teredo (2001::/32) among them
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'reserved'], // SRv6 SIDs
  ['fc00::/7', 'private'], // unique local; AWS's IPv6 metadata is fd00:ec2::254
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'private'], // site-local, deprecated
  ['ff00::/8', 'multicast'],
];

const SPECIAL = buildCidrSet(RANGES.map(([cidr, cls]) => ({ cidr: parseCidr(cidr)!, label: CLASSES.indexOf(cls) })));
const NAT64 = parseCidr('64:ff9b::/96')!;
const SIX_TO_FOUR = parseCidr('2002::/16')!;

/**
 * The class of an address. IPv4-mapped IPv6 is already IPv4 (the parser maps it); NAT64
 * (64:ff9b::/96) and 6to4 (2002::/16) addresses are judged by the IPv4 address they carry,
 * since a gateway would deliver them there.
 */
export function classifyAddress(ip: IpAddress): AddressClass {
  if (ip.version === 6) {
    const w = ip.words;
    if (w[0] === NAT64.words[0] && w[1] === 0 && w[2] === 0) return classifyAddress({ version: 4, words: Uint32Array.of(w[3]!) });
    if (w[0]! >>> 16 === SIX_TO_FOUR.words[0]! >>> 16) {
      return classifyAddress({ version: 4, words: Uint32Array.of(((w[0]! << 16) | (w[1]! >>> 16)) >>> 0) });
    }
  }
  return CLASSES[SPECIAL.lookupAddress(ip)] ?? 'reserved';
}

/** Whether `ip` (any spelling the parser accepts) is a globally reachable unicast address; false for garbage. */
export function isPublicAddress(ip: string): boolean {
  const parsed = parseIp(ip);
  return parsed !== null && classifyAddress(parsed) === 'public';
}

/** A host as allow lists compare it: lower case, no trailing dot, an IP in its canonical spelling. */
export function normalizeHost(host: string): string {
  const bare = host.trim().toLowerCase().replace(/\.$/, '');
  return canonicalIp(bare) ?? bare;
}

/**
 * Why the URL's host can be seen to be non-public from its text alone, or null. The WHATWG URL
 * parser has already turned `0x7f000001`, `0177.0.0.1` and `2130706433` into `127.0.0.1`, so
 * every spelling is judged as what it means. `localhost` and `*.localhost` are loopback by
 * RFC 6761. A name that merely resolves to a private address is caught at connect time.
 */
export function literalHostProblem(url: URL): string | null {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not name a loopback host';
  const ip = parseIp(host);
  if (ip === null) return null;
  const cls = classifyAddress(ip);
  return cls === 'public' ? null : `must name a public address (${host} is ${cls.replace('_', '-')})`;
}
