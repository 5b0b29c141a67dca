import { parseCidr, parseIpInto } from './address.js';
import type { Cidr, IpAddress } from './address.js';

/**
 * A set of networks, each with a label (a category or feed index), answering "which label
 * covers this address" in O(log n) without allocating. It sits in front of every sign-in, so
 * a slow or allocating lookup is a lever for anyone who can send requests.
 *
 * Overlaps: the most specific network wins (longest prefix, as in routing); for the same
 * network added twice, the later label wins. Callers who need the union of categories keep
 * one set per category (as the threat feeds do).
 */
export interface CidrSet {
  /** Label of the most specific network containing `ip` (any spelling `parseIpInto` accepts), or -1. */
  lookup(ip: string): number;
  /** Whether any network contains `ip`. */
  has(ip: string): boolean;
  /** `lookup` for an address already parsed. */
  lookupAddress(ip: IpAddress): number;
  /** Networks the set was built from. */
  readonly size: number;
  /** Disjoint ranges left after resolving overlaps and merging neighbours. */
  readonly ranges: number;
}

/** A network and the label it reports; labels are integers ≥ 0. */
export interface LabelledCidr {
  readonly cidr: Cidr;
  readonly label: number;
}

interface Span { start: bigint; end: bigint; prefix: number; label: number; seq: number }

// Words are stored with their sign bit flipped so that unsigned order becomes int32 order and
// the search compares small integers only (no heap numbers, no BigInt).
const BIAS = 0x80000000;

/** Builds a set from labelled networks. */
export function buildCidrSet(entries: Iterable<LabelledCidr>): CidrSet {
  const v4: Span[] = [];
  const v6: Span[] = [];
  let seq = 0;
  for (const { cidr, label } of entries) {
    if (!Number.isInteger(label) || label < 0) throw new RangeError(`label must be an integer ≥ 0, got ${label}`);
    const bits = cidr.version === 4 ? 32 : 128;
    let start = 0n;
    for (const w of cidr.words) start = (start << 32n) | BigInt(w);
    const end = start | ((1n << BigInt(bits - cidr.prefix)) - 1n);
    (cidr.version === 4 ? v4 : v6).push({ start, end, prefix: cidr.prefix, label, seq: seq++ });
  }
  return new PackedCidrSet(seq, pack(resolve(v4), 1), pack(resolve(v6), 4));
}

/** Builds a set from CIDR strings (e.g. trusted proxies), all with one label; throws naming every bad entry. */
export function createCidrSet(cidrs: readonly string[], label = 0): CidrSet {
  const bad = cidrs.filter((c) => parseCidr(c) === null);
  if (bad.length > 0) throw new TypeError(`invalid CIDR: ${bad.join(', ')}`);
  return buildCidrSet(cidrs.map((c) => ({ cidr: parseCidr(c)!, label })));
}

/**
 * Turns nested networks into disjoint labelled ranges. Prefixes never partially overlap, so
 * sorted by start (wider first) they nest like brackets and one stack resolves them.
 */
function resolve(spans: Span[]): Span[] {
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.prefix - b.prefix || a.seq - b.seq));
  const out: Span[] = [];
  const emit = (start: bigint, end: bigint, label: number): void => {
    const prev = out[out.length - 1];
    if (prev && prev.label === label && prev.end + 1n === start) prev.end = end;
    else out.push({ start, end, label, prefix: 0, seq: 0 });
  };
  const stack: Span[] = [];
  let cursor = 0n;
  const closeUntil = (limit: bigint | null): void => {
    for (let top = stack[stack.length - 1]; top && (limit === null || top.end < limit); top = stack[stack.length - 1]) {
      if (cursor <= top.end) { emit(cursor, top.end, top.label); cursor = top.end + 1n; }
      stack.pop();
    }
  };
  for (const span of spans) {
    closeUntil(span.start);
    const outer = stack[stack.length - 1];
    if (outer && cursor < span.start) emit(cursor, span.start - 1n, outer.label);
    if (cursor < span.start) cursor = span.start;
    stack.push(span);
  }
  closeUntil(null);
  return out;
}

/**
 * Ranges sorted by start. `buckets[k]` counts the ranges whose start has its top bits (up to
 * 16, about one bucket per range) below k, so a lookup searches only the few ranges that share
 * its top bits, and the one before them.
 */
interface Packed { starts: Int32Array; ends: Int32Array; labels: Int32Array; buckets: Int32Array; shift: number }

function pack(spans: Span[], words: number): Packed {
  const starts = new Int32Array(spans.length * words);
  const ends = new Int32Array(spans.length * words);
  const labels = new Int32Array(spans.length);
  const bits = Math.min(16, Math.max(1, Math.ceil(Math.log2(spans.length + 1))));
  const buckets = new Int32Array((1 << bits) + 1);
  spans.forEach((s, i) => {
    buckets[Number(s.start >> BigInt(32 * words - bits)) + 1]! += 1;
    for (let w = 0; w < words; w++) {
      const shift = BigInt(32 * (words - 1 - w));
      starts[i * words + w] = Number((s.start >> shift) & 0xffffffffn) ^ BIAS;
      ends[i * words + w] = Number((s.end >> shift) & 0xffffffffn) ^ BIAS;
    }
    labels[i] = s.label;
  });
  for (let k = 1; k < buckets.length; k++) buckets[k]! += buckets[k - 1]!;
  return { starts, ends, labels, buckets, shift: 32 - bits };
}

class PackedCidrSet implements CidrSet {
  readonly ranges: number;
  private readonly scratch = new Uint32Array(4);

  constructor(readonly size: number, private readonly v4: Packed, private readonly v6: Packed) {
    this.ranges = v4.labels.length + v6.labels.length;
  }

  lookup(ip: string): number {
    const version = parseIpInto(ip, this.scratch);
    if (version === 4) return this.find4(this.scratch[0]! ^ BIAS);
    if (version === 6) return this.find6(this.scratch);
    return -1;
  }

  has(ip: string): boolean {
    return this.lookup(ip) >= 0;
  }

  lookupAddress(ip: IpAddress): number {
    return ip.version === 4 ? this.find4(ip.words[0]! ^ BIAS) : this.find6(ip.words);
  }

  private find4(x: number): number {
    const { starts, ends, labels, buckets, shift } = this.v4;
    const top = (x ^ BIAS) >>> shift;
    let lo = Math.max(buckets[top]! - 1, 0);
    let hi = buckets[top + 1]! - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= x) { hit = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return hit >= 0 && x <= ends[hit]! ? labels[hit]! : -1;
  }

  private find6(words: Uint32Array): number {
    const x0 = words[0]! ^ BIAS;
    const x1 = words[1]! ^ BIAS;
    const x2 = words[2]! ^ BIAS;
    const x3 = words[3]! ^ BIAS;
    const { starts, ends, labels, buckets, shift } = this.v6;
    const top = (x0 ^ BIAS) >>> shift;
    let lo = Math.max(buckets[top]! - 1, 0);
    let hi = buckets[top + 1]! - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(starts, mid * 4, x0, x1, x2, x3) <= 0) { hit = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return hit >= 0 && compare(ends, hit * 4, x0, x1, x2, x3) >= 0 ? labels[hit]! : -1;
  }
}

/** Sign of (a[at..at+3] − x) in 128-bit order. */
function compare(a: Int32Array, at: number, x0: number, x1: number, x2: number, x3: number): number {
  let d = a[at]! - x0;
  if (d !== 0) return d;
  d = a[at + 1]! - x1;
  if (d !== 0) return d;
  d = a[at + 2]! - x2;
  return d !== 0 ? d : a[at + 3]! - x3;
}
