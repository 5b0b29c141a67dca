import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/domain/ip/address.js';
import { createCidrSet } from '../../src/domain/ip/cidr-set.js';

const proxies = createCidrSet(['10.0.0.0/8', '2001:db8:ffff::/48']);
const none = createCidrSet([]);

describe('clientIp', () => {
  it('takes the socket address when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    const seen = new Set<string | null>();
    for (let i = 0; i < 50; i++) {
      seen.add(clientIp('198.51.100.7', `203.0.113.${i}, 192.0.2.${i}`, none));
      seen.add(clientIp('::ffff:198.51.100.7', `203.0.113.${i}`, proxies));
    }
    expect([...seen]).toEqual(['198.51.100.7']);
  });

  it('canonicalises the socket address', () => {
    expect(clientIp('::ffff:198.51.100.7', undefined, none)).toBe('198.51.100.7');
    expect(clientIp('2001:DB8:0:0::1', undefined, none)).toBe('2001:db8::1');
  });

  it('walks right to left past trusted proxies to the first untrusted hop', () => {
    expect(clientIp('10.0.0.1', '203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(clientIp('10.0.0.1', '1.1.1.1, 203.0.113.9, 10.0.0.2', proxies)).toBe('203.0.113.9');
    expect(clientIp('10.0.0.1', ' 1.1.1.1 ,203.0.113.9:5555,10.9.9.9 ', proxies)).toBe('203.0.113.9');
    expect(clientIp('2001:db8:ffff::1', '2001:db8:1::5, [2001:db8:ffff::2]:443', proxies)).toBe('2001:db8:1::5');
    expect(clientIp('10.0.0.1', '::ffff:203.0.113.9', proxies)).toBe('203.0.113.9');
  });

  it('joins repeated X-Forwarded-For headers in order', () => {
    expect(clientIp('10.0.0.1', ['1.1.1.1', '203.0.113.9, 10.0.0.2'], proxies)).toBe('203.0.113.9');
  });

  it('ignores what a client prepends in front of a trusted proxy', () => {
    // The client sent "X-Forwarded-For: 10.0.0.5, 8.8.8.8"; our proxy appended the real address.
    expect(clientIp('10.0.0.1', '10.0.0.5, 8.8.8.8, 203.0.113.9', proxies)).toBe('203.0.113.9');
  });

  it('takes the leftmost address when every hop is trusted', () => {
    expect(clientIp('10.0.0.1', '10.0.0.3, 10.0.0.2', proxies)).toBe('10.0.0.3');
  });

  it('stops at a malformed entry and keeps the last good hop', () => {
    expect(clientIp('10.0.0.1', 'unknown', proxies)).toBe('10.0.0.1');
    expect(clientIp('10.0.0.1', '203.0.113.9, garbage, 10.0.0.2', proxies)).toBe('10.0.0.2');
    expect(clientIp('10.0.0.1', '203.0.113.9,,10.0.0.2', proxies)).toBe('10.0.0.2');
    expect(clientIp('10.0.0.1', '', proxies)).toBe('10.0.0.1');
  });

  it('answers null only for an unusable socket address', () => {
    expect(clientIp(undefined, '203.0.113.9', proxies)).toBeNull();
    expect(clientIp('nonsense', '203.0.113.9', proxies)).toBeNull();
  });
});
