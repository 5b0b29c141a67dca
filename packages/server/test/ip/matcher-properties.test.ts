import { describe, expect, it } from 'vitest';
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { canonicalIp, parseCidr, parseIp, parseIpInto } from '../../src/domain/ip/address.js';
import { buildCidrSet } from '../../src/domain/ip/cidr-set.js';
import { ipText, naiveRange } from './real-data.js';

// The parser and matcher are written for speed (no allocation, packed ranges, /64 keys); these
// properties hold them to naive references built on other code (bigints, string splitting, and
// Node's own BlockList), on inputs fast-check makes up and shrinks when one disagrees.

const RUNS = 400;
const word16 = fc.integer({ min: 0, max: 0xffff });
const v4Value = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
const v6Value = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
/** IPv6 addresses that are not IPv4-mapped (the parser reads those as IPv4). */
const plainV6 = v6Value.filter((v) => v >> 32n !== 0xffffn);

/** Every spelling of one IPv6 address: full, zero-padded, upper case, and `::` at each run of zero groups. */
function v6Spellings(value: bigint): string[] {
  const groups = ipText(value, 6).split(':');
  const out = [groups.join(':'), groups.map((g) => g.padStart(4, '0')).join(':'), groups.join(':').toUpperCase()];
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j <= 8; j++) {
      if (!groups.slice(i, j).every((g) => g === '0')) break;
      out.push(`${groups.slice(0, i).join(':')}::${groups.slice(j).join(':')}`);
    }
  }
  return out;
}

/** The words a naive reader gets from canonical text (BigInt arithmetic, no shared code). */
function naiveWords(value: bigint, version: 4 | 6): number[] {
  const n = version === 4 ? 1 : 4;
  return Array.from({ length: n }, (_, i) => Number((value >> BigInt(32 * (n - 1 - i))) & 0xffffffffn));
}

describe('the IP parser against naive readings', () => {
  const out = new Uint32Array(4);

  it('reads every IPv4 address as its 32-bit value, in every accepted wrapping', () => {
    fc.assert(fc.property(v4Value, fc.integer({ min: 0, max: 65535 }), (value, port) => {
      const text = ipText(value, 4);
      for (const spelling of [text, ` ${text}\t`, `${text}:${port}`, `::ffff:${text}`, `[::ffff:${text}]:${port}`]) {
        expect(parseIpInto(spelling, out), spelling).toBe(4);
        expect(out[0], spelling).toBe(Number(value));
      }
    }), { numRuns: RUNS });
  });

  it('reads every spelling of an IPv6 address as the same four words, and as Node reads it', () => {
    fc.assert(fc.property(plainV6, (value) => {
      for (const spelling of v6Spellings(value)) {
        expect(isIP(spelling), spelling).toBe(6);
        expect(parseIpInto(spelling, out), spelling).toBe(6);
        expect([...out], spelling).toEqual(naiveWords(value, 6));
      }
    }), { numRuns: RUNS });
  });

  it('agrees with Node on whether arbitrary text over the address alphabet is an address', () => {
    // Text made of address characters only, so most of it is near-miss garbage: the edges where a
    // hand-written parser goes wrong. Node accepts no ports, brackets or zones; neither do these.
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 45 }).map((cs) => cs.join('')), (text) => {
      const node = isIP(text);
      const ours = parseIp(text);
      // A single colon is `host:port` here (Node reads no ports); outside that, both must agree.
      if ((text.match(/:/g)?.length ?? 0) !== 1) expect(ours !== null, text).toBe(node !== 0);
      if (ours !== null && node !== 0) expect(canonicalIp(canonicalIp(text)!), text).toBe(canonicalIp(text));
    }), { numRuns: RUNS * 5 });
  });

  it('gives the same answer twice in a row and after other inputs (the last-parse cache)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(v4Value.map((v) => ipText(v, 4)), v6Value.map((v) => ipText(v, 6)), fc.string({ maxLength: 12 })), { minLength: 1, maxLength: 8 }), (texts) => {
      const first = texts.map((t) => { const v = parseIpInto(t, out); return [v, ...out.slice(0, v === 4 ? 1 : v === 6 ? 4 : 0)]; });
      const again = texts.map((t) => { const v = parseIpInto(t, out); return [v, ...out.slice(0, v === 4 ? 1 : v === 6 ? 4 : 0)]; });
      expect(again).toEqual(first);
    }), { numRuns: RUNS });
  });
});

/** A random network of one family, with a prefix, as CIDR text. */
function cidrText(version: 4 | 6): fc.Arbitrary<string> {
  const bits = version === 4 ? 32 : 128;
  return fc.tuple(version === 4 ? v4Value : plainV6, fc.integer({ min: 0, max: bits })).map(([v, prefix]) => `${ipText(v, version)}/${prefix}`);
}

/** Most specific containing network, later label on ties: the set's documented rule, by a full scan. */
function naiveLookup(nets: { start: bigint; end: bigint; prefix: number; version: number; label: number }[], version: 4 | 6, value: bigint): number {
  let label = -1;
  let prefix = -1;
  for (const n of nets) if (n.version === version && n.start <= value && value <= n.end && n.prefix >= prefix) { label = n.label; prefix = n.prefix; }
  return label;
}

describe('the CIDR set against a naive scan and Node BlockList', () => {
  // Networks that nest: children carved out of a few parents, so longest-prefix resolution matters.
  const family = (version: 4 | 6) => fc.array(cidrText(version), { minLength: 1, maxLength: 6 }).chain((parents) => fc.array(
    fc.tuple(fc.constantFrom(...parents), version === 4 ? v4Value : v6Value, fc.integer({ min: 0, max: version === 4 ? 32 : 128 })).map(([parent, bits, extra]) => {
      const p = naiveRange(parent);
      const width = BigInt((version === 4 ? 32 : 128) - p.prefix);
      const prefix = Math.min(version === 4 ? 32 : 128, p.prefix + extra);
      return `${ipText(p.start | (bits & ((1n << width) - 1n)), version)}/${prefix}`;
    }), { maxLength: 10 }).map((children) => [...parents, ...children]));

  it.each([4, 6] as const)('labels every IPv%i address as the naive scan does, and matches exactly what BlockList blocks', (version) => {
    fc.assert(fc.property(family(version), fc.array(version === 4 ? v4Value : v6Value, { maxLength: 20 }), (cidrs, randoms) => {
      const nets = cidrs.map((c, label) => ({ ...naiveRange(c), label }));
      const set = buildCidrSet(cidrs.map((c, label) => ({ cidr: parseCidr(c)!, label })));
      const block = new BlockList();
      for (const n of nets) block.addSubnet(ipText(n.start, version), n.prefix, version === 4 ? 'ipv4' : 'ipv6');
      const top = (1n << BigInt(version === 4 ? 32 : 128)) - 1n;
      // Each network's edges and their neighbours, plus random addresses.
      const probes = [...randoms, ...nets.flatMap((n) => [n.start, n.end, n.start - 1n, n.end + 1n])].filter((v) => v >= 0n && v <= top)
        .filter((v) => version === 4 || v >> 32n !== 0xffffn);
      for (const value of probes) {
        const text = ipText(value, version);
        expect(set.lookup(text), text).toBe(naiveLookup(nets, version, value));
        expect(set.has(text), text).toBe(block.check(text, version === 4 ? 'ipv4' : 'ipv6'));
      }
    }), { numRuns: RUNS });
  });

  it('keys IPv6 on the /64 only when every network allows it, and stays exact at /65 and beyond', () => {
    fc.assert(fc.property(fc.array(fc.tuple(plainV6, fc.integer({ min: 16, max: 128 })), { minLength: 1, maxLength: 8 }), word16, (entries, low) => {
      const cidrs = entries.map(([v, p]) => `${ipText(v, 6)}/${p}`);
      const nets = cidrs.map((c, label) => ({ ...naiveRange(c), label }));
      const set = buildCidrSet(cidrs.map((c, label) => ({ cidr: parseCidr(c)!, label })));
      for (const n of nets) {
        for (const value of [n.start, n.end, n.start ^ BigInt(low), n.end ^ (BigInt(low) << 48n), n.end + 1n]) {
          if (value < 0n || value >> 128n !== 0n || value >> 32n === 0xffffn) continue;
          expect(set.lookup(ipText(value, 6)), ipText(value, 6)).toBe(naiveLookup(nets, 6, value));
        }
      }
    }), { numRuns: RUNS });
  });
});
