import { describe, expect, it } from 'vitest';
import { parseCidr, parseIp } from '../../src/domain/ip/address.js';
import { buildCidrSet, createCidrSet } from '../../src/domain/ip/cidr-set.js';
import type { LabelledCidr } from '../../src/domain/ip/cidr-set.js';
import { X4B_LISTS, ipText, naiveRange, prng, randomBits, readX4b } from './real-data.js';

function labelled(entries: readonly [string, number][]): LabelledCidr[] {
  return entries.map(([c, label]) => ({ cidr: parseCidr(c)!, label }));
}

describe('CidrSet semantics', () => {
  it('lets the most specific network win where networks nest', () => {
    const set = buildCidrSet(labelled([['10.1.0.0/16', 2], ['10.0.0.0/8', 1], ['10.1.2.0/24', 3]]));
    expect(set.lookup('10.0.0.0')).toBe(1);
    expect(set.lookup('10.0.255.255')).toBe(1);
    expect(set.lookup('10.1.0.0')).toBe(2);
    expect(set.lookup('10.1.2.77')).toBe(3);
    expect(set.lookup('10.1.3.0')).toBe(2);
    expect(set.lookup('10.2.0.0')).toBe(1);
    expect(set.lookup('10.255.255.255')).toBe(1);
    expect(set.lookup('11.0.0.0')).toBe(-1);
    expect(set.lookup('9.255.255.255')).toBe(-1);
  });

  it('gives the later label to a network added twice', () => {
    expect(buildCidrSet(labelled([['1.2.3.0/24', 1], ['1.2.3.0/24', 4]])).lookup('1.2.3.4')).toBe(4);
  });

  it('covers the ends of the address space', () => {
    const set = buildCidrSet(labelled([['0.0.0.0/0', 0], ['255.255.255.255/32', 1], ['::/0', 2], ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 3]]));
    expect(set.lookup('0.0.0.0')).toBe(0);
    expect(set.lookup('255.255.255.254')).toBe(0);
    expect(set.lookup('255.255.255.255')).toBe(1);
    expect(set.lookup('::')).toBe(2);
    expect(set.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe')).toBe(2);
    expect(set.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(3);
  });

  it('matches IPv4-mapped and port-carrying spellings of a listed IPv4 address', () => {
    const set = createCidrSet(['203.0.113.0/24']);
    for (const ip of ['203.0.113.9', '::ffff:203.0.113.9', '[::ffff:203.0.113.9]:443', '203.0.113.9:1234']) {
      expect(set.has(ip), ip).toBe(true);
    }
    expect(set.has('2001:db8::cb00:7109')).toBe(false);
    expect(set.has('not an ip')).toBe(false);
  });

  it('keeps the families apart', () => {
    const set = createCidrSet(['::/96']); // IPv4-compatible range, not IPv4
    expect(set.has('::1.2.3.4')).toBe(true);
    expect(set.has('1.2.3.4')).toBe(false);
  });

  it('merges neighbours with one label and answers on an empty set', () => {
    expect(createCidrSet(['10.0.0.0/25', '10.0.0.128/25', '10.0.1.0/24']).ranges).toBe(1);
    expect(createCidrSet([]).lookup('10.0.0.1')).toBe(-1);
    expect(createCidrSet([]).lookup('::1')).toBe(-1);
  });

  it('refuses a bad CIDR naming it, and a negative label', () => {
    expect(() => createCidrSet(['10.0.0.0/8', 'nope', '1.2.3.4/40'])).toThrow('invalid CIDR: nope, 1.2.3.4/40');
    expect(() => buildCidrSet(labelled([['10.0.0.0/8', -1]]))).toThrow(RangeError);
  });

  it('answers parsed addresses the same as text', () => {
    const set = createCidrSet(['2001:db8::/32', '192.0.2.0/24'], 7);
    expect(set.lookupAddress(parseIp('2001:db8::1')!)).toBe(7);
    expect(set.lookupAddress(parseIp('192.0.2.1')!)).toBe(7);
    expect(set.lookupAddress(parseIp('192.0.3.1')!)).toBe(-1);
  });
});

describe('CidrSet on the X4BNet lists', () => {
  // All four lists in one set, labelled by list, so overlaps between lists are exercised too.
  const lines = X4B_LISTS.flatMap((list, label) => readX4b(list).split('\n').filter(Boolean).map((cidr) => ({ cidr, label })));
  const set = buildCidrSet(lines.map(({ cidr, label }) => ({ cidr: parseCidr(cidr)!, label })));
  const naive = lines.map(({ cidr, label }, seq) => ({ ...naiveRange(cidr), label, seq }));

  // Per family, bounds as numbers (IPv4) or fixed-width hex (IPv6, ordered like the numbers),
  // so that a full scan per probe stays affordable.
  const hex = (v: bigint): string => v.toString(16).padStart(32, '0');
  const families = {
    4: naive.filter((n) => n.version === 4).map((n) => ({ ...n, lo: Number(n.start), hi: Number(n.end) })),
    6: naive.filter((n) => n.version === 6).map((n) => ({ ...n, lo: hex(n.start), hi: hex(n.end) })),
  };

  /** Most specific containing network; ties go to the later one. A full scan, independent of the set. */
  function scan(version: 4 | 6, value: bigint): number {
    let label = -1;
    let prefix = -1;
    if (version === 4) {
      const v = Number(value);
      for (const n of families[4]) if (n.lo <= v && v <= n.hi && n.prefix >= prefix) { label = n.label; prefix = n.prefix; }
    } else {
      const v = hex(value);
      for (const n of families[6]) if (n.lo <= v && v <= n.hi && n.prefix >= prefix) { label = n.label; prefix = n.prefix; }
    }
    return label;
  }

  it('parses every line', () => {
    expect(set.size).toBe(lines.length);
    expect(lines.every(({ cidr }) => parseCidr(cidr) !== null)).toBe(true);
  });

  it.each([4, 6] as const)('agrees with a naive scan on random IPv%i addresses', (version) => {
    const rand = prng(version * 7919);
    const family = families[version];
    const bits = version === 4 ? 32 : 128;
    const top = (1n << BigInt(bits)) - 1n;
    const probes: bigint[] = [];
    for (let i = 0; i < 500; i++) {
      const n = family[Math.floor(rand() * family.length)]!;
      const span = n.end - n.start + 1n;
      probes.push(n.start + (randomBits(rand, bits) % span), n.start, n.end);
      if (n.start > 0n) probes.push(n.start - 1n);
      if (n.end < top) probes.push(n.end + 1n);
      // Uniform addresses; for IPv6 within 2000::/3 where the lists live, or nothing would hit.
      probes.push(version === 4 ? randomBits(rand, 32) : (1n << 125n) | randomBits(rand, 125));
    }
    let hits = 0;
    for (const value of probes) {
      const expected = scan(version, value);
      if (expected >= 0) hits++;
      expect(set.lookup(ipText(value, version)), ipText(value, version)).toBe(expected);
    }
    expect(hits).toBeGreaterThan(probes.length / 2);
  });
});
