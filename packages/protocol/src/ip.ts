/**
 * IP addresses and networks: the one parser the server (sockets, X-Forwarded-For, feeds, trusted
 * proxies) and the policy schema (`trusted_networks`) share, so an address cannot mean one thing
 * to the validator and another to the code that enforces it.
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
 * Parses `input` into `out` (four words long) without allocating (the feed lookup hot path):
 * one word for IPv4, four for IPv6. Accepts surrounding whitespace, `host:port`, `[v6]` and `[v6]:port`, and
 * strips IPv6 zone ids; IPv4-mapped IPv6 comes back as IPv4. Returns 0 for anything else.
 */
export function parseIpInto(input: string, out: Uint32Array): 0 | 4 | 6 {
  if (input === last.input) {
    const w = last.words;
    out[0] = w[0]!; out[1] = w[1]!; out[2] = w[2]!; out[3] = w[3]!;
    return last.version;
  }
  const version = parseUncached(input, out);
  last.input = input;
  last.version = version;
  // Copied word by word: a subarray here would allocate on every address (measured: ~15 % of a lookup).
  const w = last.words;
  w[0] = out[0]!; w[1] = out[1]!; w[2] = out[2]!; w[3] = out[3]!;
  return version;
}

// The feed set asks every feed about the same string in a row; remembering the last parse
// saves all but the first. A pure function of the input, so sharing it across callers is safe.
const last = { input: '', version: 0 as 0 | 4 | 6, words: new Uint32Array(4) };

function parseUncached(input: string, out: Uint32Array): 0 | 4 | 6 {
  let start = 0;
  let end = input.length;
  while (start < end && isSpace(input.charCodeAt(start))) start++;
  while (end > start && isSpace(input.charCodeAt(end - 1))) end--;
  if (end - start > MAX_INPUT || start === end) return 0;
  // Most traffic is a bare dotted quad: one scan and done.
  const direct = parseV4(input, start, end);
  if (direct >= 0) {
    out[0] = direct;
    return 4;
  }
  if (input.charCodeAt(start) === 0x5b /* [ */) {
    const close = input.indexOf(']', start);
    if (close < 0 || close >= end) return 0;
    if (close + 1 < end && (input.charCodeAt(close + 1) !== 0x3a || !isPort(input, close + 2, end))) return 0;
    return parseV6(input, start + 1, close, out, true);
  }
  // Exactly one colon can only be `v4:port`; an unbracketed IPv6 never carries a port (ambiguous).
  const colon = input.indexOf(':', start);
  if (colon >= 0 && colon < end) {
    const second = input.indexOf(':', colon + 1);
    if (second < 0 || second >= end) {
      const v = isPort(input, colon + 1, end) ? parseV4(input, start, colon) : -1;
      if (v < 0) return 0;
      out[0] = v;
      return 4;
    }
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

/** What an IP/CIDR text is shown as when it is refused (policy `trusted_networks`, trusted proxies). */
export const CIDR_EXAMPLE = 'an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32';

type CidrRead = { ok: true; cidr: Cidr; hostBits: boolean } | { ok: false; problem: string };

/**
 * The one CIDR reader: `a.b.c.d/n` or `v6/n`, a bare address being a /32 or /128; no brackets,
 * ports or zone ids. `::ffff:a.b.c.d/n` with n ≥ 96 becomes the IPv4 network, because the
 * server reads IPv4-mapped addresses as IPv4. Host bits after the prefix are cleared and flagged.
 */
function readCidr(text: string): CidrRead {
  const slash = text.indexOf('/');
  const addrEnd = slash < 0 ? text.length : slash;
  const out = new Uint32Array(4);
  const colon = text.indexOf(':');
  const written = colon >= 0 && colon < addrEnd ? 6 : 4;
  const version = written === 6 ? parseV6(text, 0, addrEnd, out, false) : parseV4Into(text, addrEnd, out);
  if (version === 0) return { ok: false, problem: `must be ${CIDR_EXAMPLE}` };
  let prefix = written === 4 ? 32 : 128;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    if (digits.includes('/')) return { ok: false, problem: `must be ${CIDR_EXAMPLE}` };
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits) || Number(digits) > prefix) return { ok: false, problem: `prefix length must be 0 to ${prefix}` };
    prefix = Number(digits);
  }
  if (version === 4 && written === 6) {
    if (prefix < 96) return { ok: false, problem: 'an IPv4-mapped network needs a prefix of at least /96' };
    prefix -= 96;
  }
  const words = version === 4 ? out.slice(0, 1) : out;
  let hostBits = false;
  for (let i = 0; i < words.length; i++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * i));
    const masked = bits === 0 ? 0 : (words[i]! & (0xffffffff << (32 - bits))) >>> 0;
    if (masked !== words[i]) hostBits = true;
    words[i] = masked;
  }
  return { ok: true, cidr: { version, prefix, words }, hostBits };
}

/**
 * Parses a network leniently, for threat feeds: surrounding whitespace is ignored and host bits
 * are cleared (lists in the wild write `1.2.3.4/24`). Null for garbage.
 */
export function parseCidr(input: string): Cidr | null {
  const read = readCidr(input.trim());
  return read.ok ? read.cidr : null;
}

/**
 * Why `text` is not a network an operator or tenant admin may trust, or null. Stricter than
 * {@link parseCidr}: no whitespace, and host bits after the prefix are refused, since
 * `10.0.0.1/8` is more likely a typo for a /32 or /24 than a wish to trust a whole /8.
 */
export function cidrProblem(text: string): string | null {
  if (text !== text.trim() || text === '') return `must be ${CIDR_EXAMPLE}`;
  const read = readCidr(text);
  if (!read.ok) return read.problem;
  return read.hostBits ? `has address bits set after the /${text.slice(text.indexOf('/') + 1)} prefix` : null;
}

/** Parses a network {@link cidrProblem} accepts; null otherwise. */
export function parseStrictCidr(text: string): Cidr | null {
  return cidrProblem(text) === null ? parseCidr(text) : null;
}

/** Canonical text of a network, e.g. `10.0.0.0/8` or `2001:db8::/32`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr)}/${cidr.prefix}`;
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

// The groups of the address being parsed: one scratch array, so parsing allocates nothing.
const GROUPS = new Int32Array(8);

/**
 * One pass over `h:h::h` text: groups collected as they come, those after `::` moved right at
 * the end. The rare forms (a zone id, an IPv4 tail) leave the loop for their own branch.
 */
function parseV6(s: string, start: number, end: number, out: Uint32Array, allowZone: boolean): 0 | 4 | 6 {
  const g = GROUPS;
  let n = 0;
  let gap = -1;
  let i = start;
  if (end - i >= 2 && s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) { gap = 0; i += 2; }
  while (i < end) {
    const from = i;
    let group = 0;
    let c = 0;
    for (; i < end; i++) {
      c = s.charCodeAt(i);
      const h = c < 128 ? HEX[c]! : -1;
      if (h < 0) break;
      group = (group << 4) | h;
    }
    if (i < end && c === 0x25 /* % */) {
      // A zone id ends the address: parse again without it (it names an interface, not a host).
      return allowZone && isZone(s, i + 1, end) ? parseV6(s, start, i, out, false) : 0;
    }
    if (i < end && c === 0x2e /* . */) {
      const pct = allowZone ? s.indexOf('%', i) : -1;
      if (pct >= 0 && pct < end) return isZone(s, pct + 1, end) ? parseV6(s, start, pct, out, false) : 0;
      const v = n <= 6 ? parseV4(s, from, end) : -1; // an IPv4 tail ends the address
      if (v < 0) return 0;
      g[n++] = v >>> 16;
      g[n++] = v & 0xffff;
      break;
    }
    if (i === from || i - from > 4 || n === 8) return 0;
    g[n++] = group;
    if (i === end) break;
    if (c !== 0x3a || ++i === end) return 0;
    if (s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return 0;
      gap = n;
      i++;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return 0;
  if (gap >= 0) {
    const move = 8 - n;
    for (let k = n - 1; k >= gap; k--) g[k + move] = g[k]!;
    for (let k = gap; k < gap + move; k++) g[k] = 0;
  }
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    out[0] = (g[6]! << 16) | g[7]!;
    return 4;
  }
  out[0] = (g[0]! << 16) | g[1]!;
  out[1] = (g[2]! << 16) | g[3]!;
  out[2] = (g[4]! << 16) | g[5]!;
  out[3] = (g[6]! << 16) | g[7]!;
  return 6;
}

// Hex digit values by character code (-1: not a digit): a table, because branching on random
// hex text mispredicts and parsing IPv6 sits on the lookup path.
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 22; i++) HEX['0123456789abcdefABCDEF'.charCodeAt(i)] = i < 16 ? i : i - 6;

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
