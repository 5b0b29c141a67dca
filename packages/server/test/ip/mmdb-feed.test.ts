import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMmdbFeed } from '../../src/adapters/feeds/mmdb-feed.js';
import { dataDir, ipText, naiveRange } from './real-data.js';

type Json = Record<string, unknown>;

const DATACENTER_ASNS = [15169, 7018];

/** The categories DESIGN §7 says a record implies, written out independently of the feed. */
function expectedCategories(record: Json): string[] {
  const found = new Set<string>();
  if (record.is_tor_exit_node === true) found.add('tor');
  if (record.is_anonymous_vpn === true) found.add('vpn');
  if (record.is_hosting_provider === true) found.add('datacenter');
  if (record.is_public_proxy === true || record.is_residential_proxy === true) found.add('proxy');
  if (DATACENTER_ASNS.includes(record.autonomous_system_number as number)) found.add('datacenter');
  return [...found].sort();
}

/** JSON networks; `::a.b.c.d/n` is where the database keeps IPv4 a.b.c.d/(n−96). */
function networksOf(file: string): { key: string; range: ReturnType<typeof naiveRange>; record: Json }[] {
  const entries = (JSON.parse(readFileSync(`${dataDir}mmdb/${file}.json`, 'utf8')) as Json[]).flatMap((o) => Object.entries(o));
  return entries.map(([key, record]) => {
    const m = /^::(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(key);
    const cidr = m ? `${m[1]}/${Number(m[2]) - 96}` : key;
    return { key, range: naiveRange(cidr), record: record as Json };
  });
}

describe.each(['GeoIP2-Anonymous-IP-Test', 'GeoIP-Anonymous-Plus-Test', 'GeoIP2-IP-Risk-Test', 'GeoLite2-ASN-Test'])('mmdb feed %s', (file) => {
  const feed = createMmdbFeed({ name: file, category: 'vpn', weight: 35, datacenterAsns: DATACENTER_ASNS },
    readFileSync(`${dataDir}mmdb/${file}.mmdb`));
  const networks = networksOf(file);

  it('maps an address inside every network of the source JSON to the categories of its record', () => {
    let hits = 0;
    for (const { key, range } of networks) {
      for (const value of [range.start, range.end, range.start + (range.end - range.start) / 2n]) {
        // The database was written in JSON order, a later network replacing what it covers.
        const owner = networks.findLast((n) => n.range.version === range.version && n.range.start <= value && value <= n.range.end)!;
        const ip = ipText(value, range.version);
        const got = (feed.lookup(ip) ?? []).map((h) => h.category).sort();
        expect(got, `${ip} in ${key} (record of ${owner.key})`).toEqual(expectedCategories(owner.record));
        if (got.length > 0) hits++;
      }
    }
    expect(hits).toBeGreaterThan(0);
  });

  it('names the feed and its weight on every hit, and misses garbage and unlisted space', () => {
    const listed = networks.find((n) => expectedCategories(n.record).length > 0)!;
    const hits = feed.lookup(ipText(listed.range.start, listed.range.version))!;
    expect(hits.every((h) => h.feed === file && h.weight === 35)).toBe(true);
    expect(feed.lookup('not an ip')).toBeNull();
    expect(feed.lookup('192.0.2.1')).toBeNull();
  });
});

describe('mmdb feed', () => {
  it('reports the same hits for every spelling of an address', () => {
    const feed = createMmdbFeed({ name: 'anon', category: 'tor' }, readFileSync(`${dataDir}mmdb/GeoIP2-Anonymous-IP-Test.mmdb`));
    const expected = feed.lookup('81.2.69.1');
    expect(expected?.map((h) => h.category).sort()).toEqual(['datacenter', 'proxy', 'tor', 'vpn']);
    for (const ip of ['::ffff:81.2.69.1', '81.2.69.1:443', '[::ffff:81.2.69.1]:1']) expect(feed.lookup(ip), ip).toEqual(expected);
  });

  it('calls an ASN database datacenter only for the configured ASNs', () => {
    const data = readFileSync(`${dataDir}mmdb/GeoLite2-ASN-Test.mmdb`);
    expect(createMmdbFeed({ name: 'asn', category: 'datacenter' }, data).lookup('1.0.0.1')).toBeNull();
    expect(createMmdbFeed({ name: 'asn', category: 'datacenter', datacenterAsns: [15169] }, data).lookup('1.0.0.1'))
      .toEqual([{ feed: 'asn', category: 'datacenter', weight: null }]);
  });

  it('refuses bytes that are not a MaxMind database', () => {
    expect(() => createMmdbFeed({ name: 'x', category: 'vpn' }, Buffer.from('<html>oops</html>'))).toThrow();
  });
});
