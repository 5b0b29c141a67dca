import { describe, expect, it } from 'vitest';
import { canonicalIp, counterKey, formatCidr, parseCidr } from '../../src/domain/ip/address.js';

describe('canonicalIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['  1.2.3.4\t', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['1.2.3.4:0', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:0102:0304', '1.2.3.4'],
    ['[::ffff:1.2.3.4]:443', '1.2.3.4'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['[::1]:443', '::1'],
    ['::', '::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1::1', '2001:0:0:1::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[fe80::1%25en0]:80', 'fe80::1'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ])('%j → %j', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    '', ' ', 'garbage', 'unknown', '1.2.3', '1.2.3.4.5', '1.2.3.256', '01.2.3.4', '1.2.3.04', '1.2.3.-1',
    '1.2.3.4:', '1.2.3.4:65536', '1.2.3.4:80:80', '1.2.3.4/24', '1.2.3.4%eth0', '[1.2.3.4]', '[1.2.3.4]:80',
    ':::', '1:::2', '1::2::3', ':1::2', '1::2:', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::1',
    'g::1', '[::1', '::1]', '[::1]:', '[::1]:99999', '[ ::1]', '::1:443x', 'fe80::1%', 'fe80::1%a b',
    '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3', '::1.2.3.4:5', '1.2.3.4::', '0x7f.0.0.1', '2130706433', '１.2.3.4',
    'x'.repeat(200),
  ])('rejects %j', (input) => {
    expect(canonicalIp(input)).toBeNull();
  });
});

describe('counterKey', () => {
  it('keys IPv4 on the address, mapped or not', () => {
    expect(counterKey('1.2.3.4')).toBe('1.2.3.4');
    expect(counterKey('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(counterKey('1.2.3.4:9999')).toBe('1.2.3.4');
  });

  it('keys IPv6 on the /64 so one subscriber cannot rotate through its own prefix', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '[2001:DB8:1:2:abcd::]:443'].map(counterKey);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(counterKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(counterKey('2001:db8::1')).toBe('2001:db8::/64');
    expect(counterKey('::1')).toBe('::/64');
  });

  it('refuses garbage', () => {
    expect(counterKey('nope')).toBeNull();
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['1.2.3.4', '1.2.3.4/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.255/31', '192.168.1.254/31'],
    [' 2001:db8::/32 ', '2001:db8::/32'],
    ['2001:db8:ffff::1/33', '2001:db8:8000::/33'],
    ['::/0', '::/0'],
    ['::1', '::1/128'],
    ['::ffff:1.2.3.0/120', '1.2.3.0/24'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
  ])('%j → %j', (input, expected) => {
    const cidr = parseCidr(input);
    expect(cidr && formatCidr(cidr)).toBe(expected);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/8/8', '::/129', '[::1]/128',
    '1.2.3.4:80/32', 'fe80::%eth0/64', '::ffff:0:0/95', 'example.com/24', ''])('rejects %j', (input) => {
    expect(parseCidr(input)).toBeNull();
  });
});

describe('canonicalIp against the WHATWG URL parser', () => {
  // Random addresses rich in zero groups, in several spellings; URL serialises IPv6 per RFC 5952.
  it('agrees on 5000 random IPv6 addresses', () => {
    let seed = 12345;
    const rand = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    for (let i = 0; i < 5000; i++) {
      const groups = Array.from({ length: 8 }, () => (rand(3) === 0 ? rand(65536) : rand(4) === 0 ? 1 : 0));
      if (groups[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0)) groups[5] = 0;
      const canonical = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
      const spellings = [
        canonical,
        canonical.toUpperCase(),
        groups.map((g) => g.toString(16).padStart(4, '0')).join(':'),
        `[${canonical}]:${rand(65536)}`,
        `${groups.slice(0, 6).map((g) => g.toString(16)).join(':')}:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`,
      ];
      for (const s of spellings) expect(canonicalIp(s), s).toBe(canonical);
    }
  });

  it('agrees with node:net on what is an address', async () => {
    const { isIP } = await import('node:net');
    const samples = ['1::', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:7::', '1:2:3:4:5::7:8', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:1.2.3.4', '1::2:3:4:5:6:7:8', '12345::', '::1.2.3.4.5', '1.2.3.4', '1.2.3', ':1:2::', '1:2::3:'];
    for (const s of samples) expect(canonicalIp(s) !== null, s).toBe(isIP(s) !== 0);
  });
});
