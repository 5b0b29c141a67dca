/**
 * Disjoint labelled address ranges packed into typed arrays, searched without allocating. Every
 * sign-in asks the threat feeds about its address, so this search is on the hot path of anyone
 * who can send requests: a slow or allocating lookup would be a lever for a flood.
 */

/** A disjoint range of one family, `start ≤ end` as unsigned 32- or 128-bit integers. */
export interface Range { readonly start: bigint; readonly end: bigint; readonly label: number }

/** Ranges of one family, answering the label of the range holding an address (as big-endian words), or -1. */
export interface PackedRanges {
  readonly count: number;
  find(words: ArrayLike<number>): number;
}

// Words are stored with their sign bit flipped so that unsigned order becomes int32 order and
// the search compares small integers only (no heap numbers, no BigInt).
const BIAS = 0x80000000;
const LOW64 = (1n << 64n) - 1n;

/**
 * Packs ranges sorted by start. `buckets[k]` counts the ranges whose key (up to 16 address bits
 * after the prefix every range shares, about one bucket per range) is below k, so a lookup searches
 * only the few ranges in its bucket, and the one before them. An address outside the shared prefix
 * is answered at once. IPv6 ranges that all fall on /64 boundaries (threat lists rarely go finer:
 * providers hand out /64s) are keyed on their first two words only: half the data, half the compares.
 */
export function packRanges(ranges: readonly Range[], family: 1 | 4): PackedRanges {
  const words = family === 4 && ranges.every((r) => (r.start & LOW64) === 0n && (r.end & LOW64) === LOW64) ? 2 : family;
  const drop = BigInt(32 * (family - words));
  const starts = new Int32Array(ranges.length * words);
  const ends = new Int32Array(ranges.length * words);
  const labels = new Int32Array(ranges.length);
  const bits = Math.min(16, Math.max(1, Math.ceil(Math.log2(ranges.length + 1))));
  const top = 32 * family - 32;
  const first = ranges.length > 0 ? Number(ranges[0]!.start >> BigInt(top)) : 0;
  const last = ranges.length > 0 ? Number(ranges[ranges.length - 1]!.end >> BigInt(top)) : 0;
  const skip = ranges.length > 0 ? Math.min(Math.clz32(first ^ last), 32 - bits) : 0;
  const mask = skip === 0 ? 0 : (0xffffffff << (32 - skip)) | 0;
  const base = first & mask;
  const shift = 32 - bits;
  const buckets = new Int32Array((1 << bits) + 1);
  ranges.forEach((r, i) => {
    buckets[((Number(r.start >> BigInt(top)) << skip) >>> shift) + 1]! += 1;
    for (let w = 0; w < words; w++) {
      const at = BigInt(32 * (words - 1 - w)) + drop;
      starts[i * words + w] = Number((r.start >> at) & 0xffffffffn) ^ BIAS;
      ends[i * words + w] = Number((r.end >> at) & 0xffffffffn) ^ BIAS;
    }
    labels[i] = r.label;
  });
  for (let k = 1; k < buckets.length; k++) buckets[k]! += buckets[k - 1]!;
  const t: Table = { starts, ends, labels, buckets, shift, skip, mask, base };
  const find = words === 1 ? (w: ArrayLike<number>) => find1(t, w[0]!)
    : words === 2 ? (w: ArrayLike<number>) => find2(t, w[0]!, w[1]!)
      : (w: ArrayLike<number>) => find4(t, w[0]!, w[1]!, w[2]!, w[3]!);
  return { count: ranges.length, find };
}

interface Table {
  starts: Int32Array; ends: Int32Array; labels: Int32Array; buckets: Int32Array;
  shift: number; skip: number; mask: number; base: number;
}

/** The bucket of an address whose first word is `w0` (inside the shared prefix). */
function keyOf(t: Table, w0: number): number {
  return ((w0 << t.skip) >>> t.shift);
}

function find1(t: Table, w0: number): number {
  if (((w0 ^ t.base) & t.mask) !== 0) return -1;
  const key = keyOf(t, w0);
  const x = w0 ^ BIAS;
  const { starts, buckets } = t;
  let lo = Math.max(buckets[key]! - 1, 0);
  let hi = buckets[key + 1]! - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) { hit = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return hit >= 0 && x <= t.ends[hit]! ? t.labels[hit]! : -1;
}

function find2(t: Table, w0: number, w1: number): number {
  if (((w0 ^ t.base) & t.mask) !== 0) return -1;
  const key = keyOf(t, w0);
  const x0 = w0 ^ BIAS;
  const x1 = w1 ^ BIAS;
  const { starts, buckets } = t;
  let lo = Math.max(buckets[key]! - 1, 0);
  let hi = buckets[key + 1]! - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s0 = starts[2 * mid]!;
    if (s0 < x0 || (s0 === x0 && starts[2 * mid + 1]! <= x1)) { hit = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (hit < 0) return -1;
  const e0 = t.ends[2 * hit]!;
  return e0 > x0 || (e0 === x0 && t.ends[2 * hit + 1]! >= x1) ? t.labels[hit]! : -1;
}

function find4(t: Table, w0: number, w1: number, w2: number, w3: number): number {
  if (((w0 ^ t.base) & t.mask) !== 0) return -1;
  const key = keyOf(t, w0);
  const x0 = w0 ^ BIAS;
  const x1 = w1 ^ BIAS;
  const x2 = w2 ^ BIAS;
  const x3 = w3 ^ BIAS;
  const { starts, buckets } = t;
  let lo = Math.max(buckets[key]! - 1, 0);
  let hi = buckets[key + 1]! - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(starts, mid * 4, x0, x1, x2, x3) <= 0) { hit = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return hit >= 0 && compare(t.ends, hit * 4, x0, x1, x2, x3) >= 0 ? t.labels[hit]! : -1;
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
