import type { CidrSet } from './cidr-set.js';

/**
 * IP addresses as Portcullis reads them from sockets, X-Forwarded-For and feeds.
 *
 * One spelling per address matters for security: counters, audit entries and feed lookups key
 * on the canonical text, so `::ffff:1.2.3.4`, `1.2.3.4:5678` and `1.2.3.4` must be the same
 * client, or an attacker rotates spellings to reset their limits.
 */

/** An address as big-endian 32-bit words: one for IPv4, four for IPv6. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly words: Uint32Array;
}

/** A network: its first address (host bits cleared) and prefix length. */
export interface Cidr extends IpAddress {
  readonly prefix: number;
}

// Longest legitimate input: a bracketed IPv6 with embedded IPv4, a zone id and a port.
const MAX_INPUT = 100;

/**
 * Parses `input` into `out` without allocating (the feed lookup hot path): one word for IPv4,
 * four for IPv6. Accepts surrounding whitespace, `host:port`, `[v6]` and `[v6]:port`, and
 * strips IPv6 zone ids; IPv4-mapped IPv6 comes back as IPv4. Returns 0 for anything else.
 */
export function parseIpInto(input: string, out: Uint32Array): 0 | 4 | 6 {
  let start = 0;
  let end = input.length;
  while (start < end && isSpace(input.charCodeAt(start))) start++;
  while (end > start && isSpace(input.charCodeAt(end - 1))) end--;
  if (end - start > MAX_INPUT || start === end) return 0;
  if (input.charCodeAt(start) === 0x5b /* [ */) {
    const close = input.indexOf(']', start);
    if (close < 0 || close >= end) return 0;
    if (close + 1 < end && (input.charCodeAt(close + 1) !== 0x3a || !isPort(input, close + 2, end))) return 0;
    return parseV6(input, start + 1, close, out, true);
  }
  let colons = 0;
  let lastColon = -1;
  for (let i = start; i < end; i++) {
    if (input.charCodeAt(i) === 0x3a) { colons++; lastColon = i; }
  }
  // One colon can only be `v4:port`; an unbracketed IPv6 never carries a port (ambiguous).
  if (colons === 1 && !isPort(input, lastColon + 1, end)) return 0;
  if (colons <= 1) {
    const v = parseV4(input, start, colons === 1 ? lastColon : end);
    if (v < 0) return 0;
    out[0] = v;
    return 4;
  }
  return parseV6(input, start, end, out, true);
}

/** Parses an address in any accepted spelling; null for garbage. */
export function parseIp(input: string): IpAddress | null {
  const out = new Uint32Array(4);
  const version = parseIpInto(input, out);
  if (version === 0) return null;
  return { version, words: version === 4 ? out.slice(0, 1) : out };
}

/** The one canonical spelling (dotted quad; RFC 5952 IPv6), or null for garbage. */
export function canonicalIp(input: string): string | null {
  const ip = parseIp(input);
  return ip && formatIp(ip);
}

/** Canonical text of a parsed address. */
export function formatIp(ip: IpAddress): string {
  return ip.version === 4 ? formatV4(ip.words[0]!) : formatV6(ip.words);
}

/**
 * The key that per-IP counters use: IPv4 as is, IPv6 by its /64, because one subscriber
 * usually holds a whole /64 and would otherwise get 2^64 fresh counters. Null for garbage.
 */
export function counterKey(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return null;
  if (parsed.version === 4) return formatV4(parsed.words[0]!);
  const w = parsed.words;
  return `${formatV6(Uint32Array.of(w[0]!, w[1]!, 0, 0))}/64`;
}

/**
 * Parses `a.b.c.d/n` or `v6/n`; a bare address is a /32 or /128. Host bits are cleared (feeds
 * in the wild write `1.2.3.4/24`); `::ffff:a.b.c.d/n` with n ≥ 96 becomes the IPv4 network.
 * No brackets, ports or zone ids. Null for garbage.
 */
export function parseCidr(input: string): Cidr | null {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addrEnd = slash < 0 ? text.length : slash;
  const out = new Uint32Array(4);
  const written = text.indexOf(':') >= 0 && text.indexOf(':') < addrEnd ? 6 : 4;
  const version = written === 6 ? parseV6(text, 0, addrEnd, out, false) : parseV4Into(text, addrEnd, out);
  if (version === 0) return null;
  let prefix = written === 4 ? 32 : 128;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits) || Number(digits) > prefix) return null;
    prefix = Number(digits);
  }
  if (version === 4 && written === 6) {
    if (prefix < 96) return null; // wider than the mapped range: not an IPv4 network
    prefix -= 96;
  }
  const words = version === 4 ? out.slice(0, 1) : out;
  for (let i = 0; i < words.length; i++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * i));
    words[i] = bits === 0 ? 0 : words[i]! & (0xffffffff << (32 - bits));
  }
  return { version, prefix, words };
}

/** Canonical text of a network, e.g. `10.0.0.0/8` or `2001:db8::/32`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr)}/${cidr.prefix}`;
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

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isPort(s: string, start: number, end: number): boolean {
  if (end <= start || end - start > 5) return false;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return false;
    v = v * 10 + d;
  }
  return v <= 65535;
}

function parseV4Into(s: string, end: number, out: Uint32Array): 0 | 4 {
  const v = parseV4(s, 0, end);
  if (v < 0) return 0;
  out[0] = v;
  return 4;
}

/**
 * Strict dotted quad. Leading zeros are refused: `010.0.0.1` is 8.0.0.1 to some parsers and
 * 10.0.0.1 to others, and such disagreements let an address slip past a list.
 */
function parseV4(s: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      dots++;
      part = 0;
      digits = 0;
    } else {
      const d = c - 0x30;
      if (d < 0 || d > 9 || (digits === 1 && part === 0)) return -1;
      part = part * 10 + d;
      if (part > 255) return -1;
      digits++;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

function parseV6(s: string, start: number, end: number, out: Uint32Array, allowZone: boolean): 0 | 4 | 6 {
  const pct = s.indexOf('%', start);
  if (pct >= 0 && pct < end) {
    if (!allowZone || !isZone(s, pct + 1, end)) return 0;
    end = pct;
  }
  out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 0;
  const gap = s.indexOf('::', start);
  if (gap < 0 || gap + 2 > end) {
    if (writeGroups(s, start, end, out, 0, true) !== 8) return 0;
  } else {
    const again = s.indexOf('::', gap + 1);
    if (again >= 0 && again < end) return 0;
    const left = gap === start ? 0 : writeGroups(s, start, gap, out, 0, false);
    if (left < 0) return 0;
    let right = 0;
    if (gap + 2 < end) {
      right = 1;
      for (let i = gap + 2; i < end; i++) {
        const c = s.charCodeAt(i);
        if (c === 0x3a) right++;
        else if (c === 0x2e) { right++; break; } // an IPv4 tail is two groups
      }
      if (writeGroups(s, gap + 2, end, out, 8 - right, true) !== right) return 0;
    }
    if (left + right > 7) return 0;
  }
  if (out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
    out[0] = out[3]!;
    return 4;
  }
  return 6;
}

/** Writes `h:h:…` (no `::`) as 16-bit groups from group `at`; returns the count or -1. */
function writeGroups(s: string, start: number, end: number, out: Uint32Array, at: number, v4Tail: boolean): number {
  let n = 0;
  let i = start;
  while (i <= end) {
    let j = i;
    let group = 0;
    while (j < end && s.charCodeAt(j) !== 0x3a && j - i < 5) {
      const h = hex(s.charCodeAt(j));
      if (h < 0) break;
      group = group * 16 + h;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 0x2e) {
      const v = v4Tail && at + n <= 6 ? parseV4(s, i, end) : -1;
      if (v < 0) return -1;
      setGroup(out, at + n, v >>> 16);
      setGroup(out, at + n + 1, v & 0xffff);
      return n + 2;
    }
    if (j === i || j - i > 4 || at + n > 7) return -1;
    setGroup(out, at + n, group);
    n++;
    if (j === end) return n;
    if (s.charCodeAt(j) !== 0x3a) return -1;
    i = j + 1;
  }
  return -1; // trailing single colon
}

function setGroup(out: Uint32Array, index: number, group: number): void {
  const w = index >> 1;
  out[w] = out[w]! | (index & 1 ? group : group << 16);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

function isZone(s: string, start: number, end: number): boolean {
  if (end <= start || end - start > 32) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
    if (!ok) return false;
  }
  return true;
}

function formatV4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatV6(words: Uint32Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) groups.push(words[i]! >>> 16, words[i]! & 0xffff);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (best < 0) return hexes.join(':');
  return `${hexes.slice(0, best).join(':')}::${hexes.slice(best + bestLen).join(':')}`;
}
