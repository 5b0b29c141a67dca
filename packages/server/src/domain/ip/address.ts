import { canonicalIp, formatIp, parseIp } from '@portcullis/protocol';
import type { CidrSet } from './cidr-set.js';

/**
 * IP addresses as Portcullis reads them from sockets, X-Forwarded-For and feeds. The parser
 * itself lives in `@portcullis/protocol` (one parser for the server and the policy schema);
 * this module adds what only the server needs: counter keys and the client-IP walk.
 */
export { canonicalIp, cidrProblem, formatCidr, formatIp, parseCidr, parseIp, parseIpInto, parseStrictCidr } from '@portcullis/protocol';
export type { Cidr, IpAddress } from '@portcullis/protocol';

/**
 * The key that per-IP counters use: IPv4 as is, IPv6 by its /64, because one subscriber
 * usually holds a whole /64 and would otherwise get 2^64 fresh counters. Null for garbage.
 */
export function counterKey(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return null;
  if (parsed.version === 4) return formatIp(parsed);
  const w = parsed.words;
  return `${formatIp({ version: 6, words: Uint32Array.of(w[0]!, w[1]!, 0, 0) })}/64`;
}

/**
 * The address of the client behind `peerAddress` (§8). The socket address is the truth unless
 * the peer is one of our proxies; only then is X-Forwarded-For read, right to left, and the
 * first hop we do not run is the client. Everything left of that hop is whatever the client
 * chose to send, so a spoofed header without a trusted proxy changes nothing.
 *
 * A malformed entry ends the walk at the last good address (a trusted hop, or the peer): our
 * proxies never write garbage, so it marks where client-controlled text begins, and nothing
 * left of it can be believed. When every entry is trusted the leftmost is taken (a request
 * from inside our own network). Null only when the peer address itself is unusable.
 */
export function clientIp(
  peerAddress: string | undefined,
  xForwardedFor: string | readonly string[] | undefined,
  trustedProxies: CidrSet,
): string | null {
  const peer = peerAddress === undefined ? null : canonicalIp(peerAddress);
  if (peer === null || xForwardedFor === undefined || !trustedProxies.has(peer)) return peer;
  const header = typeof xForwardedFor === 'string' ? xForwardedFor : xForwardedFor.join(',');
  const hops = header.split(',');
  let last = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalIp(hops[i]!);
    if (hop === null) return last;
    if (!trustedProxies.has(hop)) return hop;
    last = hop;
  }
  return last;
}
