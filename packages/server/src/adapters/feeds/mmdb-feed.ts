import { Reader } from 'maxmind';
import { canonicalIp } from '../../domain/ip/address.js';
import type { FeedHit, FeedIdentity, ThreatCategory } from '../../ports/feeds.js';
import type { ThreatFeed } from './threat-feed.js';

/** An mmdb feed as configured: an ASN database needs the ASNs it should call datacenter. */
export interface MmdbFeedOptions extends FeedIdentity {
  readonly datacenterAsns?: readonly number[];
}

// MaxMind Anonymous IP / Anonymous Plus / IP Risk flags and the category each one means.
const FLAG_CATEGORIES: readonly (readonly [string, ThreatCategory])[] = [
  ['is_tor_exit_node', 'tor'],
  ['is_anonymous_vpn', 'vpn'],
  ['is_hosting_provider', 'datacenter'],
  ['is_public_proxy', 'proxy'],
  ['is_residential_proxy', 'proxy'],
];

type MmdbRecord = Record<string, unknown>;

// Distinct records kept decoded; a hostile database cannot grow memory past this.
const RECORD_CACHE = 50_000;

function boundedCache(max: number): { get(key: string | number): unknown; set(key: string | number, value: unknown): void } {
  const map = new Map<string | number, unknown>();
  return {
    get: (key) => map.get(key),
    set(key, value) {
      if (map.size >= max) map.clear();
      map.set(key, value);
    },
  };
}

/** The categories a MaxMind record implies (top-level flags, or `traits` as in Enterprise/Insights). */
export function categoriesOf(record: MmdbRecord, datacenterAsns: ReadonlySet<number>): ThreatCategory[] {
  const found = new Set<ThreatCategory>();
  for (const source of [record, record.traits]) {
    if (typeof source !== 'object' || source === null) continue;
    const fields = source as MmdbRecord;
    for (const [flag, category] of FLAG_CATEGORIES) if (fields[flag] === true) found.add(category);
    const asn = fields.autonomous_system_number;
    if (typeof asn === 'number' && datacenterAsns.has(asn)) found.add('datacenter');
  }
  return [...found];
}

/**
 * Builds a feed over a MaxMind-format database held in memory. The bytes are validated here
 * (a corrupt download must fail the refresh, not the first sign-in that looks it up).
 */
export function createMmdbFeed(options: MmdbFeedOptions, data: Buffer): ThreatFeed {
  const reader = new Reader<MmdbRecord>(data, { cache: boundedCache(RECORD_CACHE) });
  const asns = new Set(options.datacenterAsns ?? []);
  const weight = options.weight ?? null;
  // Records are shared by many networks: the reader hands back one decoded object per record
  // (its cache), so each record's hits are worked out once.
  const cache = new WeakMap<object, readonly FeedHit[] | null>();
  const hitsOf = (record: MmdbRecord): readonly FeedHit[] | null => {
    let hits = cache.get(record);
    if (hits === undefined) {
      const categories = categoriesOf(record, asns);
      hits = categories.length === 0 ? null
        : Object.freeze(categories.map((category) => Object.freeze({ feed: options.name, category, weight })));
      cache.set(record, hits);
    }
    return hits;
  };
  return {
    name: options.name,
    category: options.category,
    weight,
    entries: reader.metadata.nodeCount,
    lookup(ip) {
      const canonical = canonicalIp(ip);
      if (canonical === null) return null;
      let record: MmdbRecord | null;
      try {
        record = reader.get(canonical);
      } catch {
        return null; // an IPv6 address against an IPv4-only database
      }
      return record && typeof record === 'object' ? hitsOf(record) : null;
    },
  };
}
