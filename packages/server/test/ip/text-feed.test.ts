import { describe, expect, it } from 'vitest';
import { createTextFeed, parseTextFeed } from '../../src/adapters/feeds/text-feed.js';
import { X4B_LISTS, readX4b } from './real-data.js';

const LIST = `# bad actors, updated hourly
; spamhaus-style comment

198.51.100.0/24
203.0.113.7          # single address, inline comment
2001:db8:bad::/48
  192.0.2.0/25 ; SBL123
not-an-ip
10.0.0.0/33
1.2.3.4 5.6.7.8
::ffff:100.64.0.0/106\r
`;

describe('text feed', () => {
  it('skips comments and blank lines, and counts bad lines', () => {
    const parsed = parseTextFeed(LIST);
    expect(parsed.cidrs).toHaveLength(5);
    expect(parsed.invalid).toBe(3);
    expect(parsed.invalidSamples).toEqual([
      { line: 8, text: 'not-an-ip' }, { line: 9, text: '10.0.0.0/33' }, { line: 10, text: '1.2.3.4 5.6.7.8' },
    ]);
  });

  it('reports its category and weight for listed addresses only', () => {
    const feed = createTextFeed({ name: 'abuse', category: 'known_bot', weight: 60 }, Buffer.from(LIST));
    expect(feed.entries).toBe(5);
    expect(feed.invalid).toBe(3);
    const hit = [{ feed: 'abuse', category: 'known_bot', weight: 60 }];
    for (const ip of ['198.51.100.200', '203.0.113.7', '2001:db8:bad:1::1', '192.0.2.127', '100.64.0.1', '::ffff:203.0.113.7']) {
      expect(feed.lookup(ip), ip).toEqual(hit);
    }
    for (const ip of ['203.0.113.8', '192.0.2.128', '2001:db8:bad0::1', '1.2.3.4', 'garbage']) {
      expect(feed.lookup(ip), ip).toBeNull();
    }
  });

  it('leaves the weight to the policy when the feed sets none', () => {
    const feed = createTextFeed({ name: 'tor', category: 'tor' }, '192.0.2.1\n');
    expect(feed.lookup('192.0.2.1')).toEqual([{ feed: 'tor', category: 'tor', weight: null }]);
  });

  it('refuses a list with no valid entry but garbage (an error page), and accepts an empty one', () => {
    expect(() => createTextFeed({ name: 'x', category: 'vpn' }, '<html>\n<body>503</body>\n')).toThrow(/no valid entry/);
    expect(createTextFeed({ name: 'x', category: 'vpn' }, '# nothing today\n\n').entries).toBe(0);
  });

  it.each(X4B_LISTS)('reads the X4BNet %s list without a bad line', (list) => {
    const text = readX4b(list);
    const feed = createTextFeed({ name: list, category: 'datacenter' }, text);
    expect(feed.invalid).toBe(0);
    expect(feed.entries).toBe(text.split('\n').filter(Boolean).length);
    const first = text.split('\n')[0]!.split('/')[0]!;
    expect(feed.lookup(first)).not.toBeNull();
  });
});
