import { parseCidr, parseIpInto } from './address.js';
import type { Cidr, IpAddress } from './address.js';
import { packRanges, type PackedRanges } from './packed-ranges.js';

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
  return new PackedCidrSet(seq, packRanges(resolve(v4), 1), packRanges(resolve(v6), 4));
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

class PackedCidrSet implements CidrSet {
  readonly ranges: number;
  private readonly scratch = new Uint32Array(4);

  constructor(readonly size: number, private readonly v4: PackedRanges, private readonly v6: PackedRanges) {
    this.ranges = v4.count + v6.count;
  }

  lookup(ip: string): number {
    const version = parseIpInto(ip, this.scratch);
    if (version === 4) return this.v4.find(this.scratch);
    if (version === 6) return this.v6.find(this.scratch);
    return -1;
  }

  has(ip: string): boolean {
    return this.lookup(ip) >= 0;
  }

  lookupAddress(ip: IpAddress): number {
    return ip.version === 4 ? this.v4.find(ip.words) : this.v6.find(ip.words);
  }
}
