import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as protocol from '@portcullis/protocol';
import { DEFAULT_RISK_POLICY, THREAT_CATEGORIES, THREAT_CATEGORY_POINTS, resolvePolicy } from '@portcullis/protocol';
import { IP_CATEGORIES } from '../../src/domain/risk/signals.js';
import { parseCidr, cidrProblem } from '../../src/domain/ip/address.js';
import { loadConfig, ConfigError } from '../../src/config/load.js';

/** Issue 10 #12 and #8: each vocabulary once, one CIDR parser, feeds behind a port. */
describe('one vocabulary', () => {
  it('defines the threat categories once: the policy and the engine use the protocol list', () => {
    expect(Object.keys(DEFAULT_RISK_POLICY.rules.ip_categories)).toEqual([...THREAT_CATEGORIES]);
    expect(DEFAULT_RISK_POLICY.rules.ip_categories).toEqual(THREAT_CATEGORY_POINTS);
    expect(IP_CATEGORIES).toBe(THREAT_CATEGORIES);
  });

  it('parses CIDRs with one parser, so the policy, the proxies setting and the server agree', () => {
    expect(parseCidr).toBe(protocol.parseCidr);
    expect(cidrProblem).toBe(protocol.cidrProblem);
    for (const bad of ['10.0.0.1/8', '10.0.0.0/33', '::ffff:0:0/95', 'intranet', '10.0.0.0/8/8']) {
      const policy = resolvePolicy({ trusted_networks: [bad] });
      const policyMessage = policy.ok ? null : policy.fields[0]!.message;
      let configMessage: string | null = null;
      try {
        loadConfig({ PORTCULLIS_TRUSTED_PROXIES: bad });
      } catch (error) {
        configMessage = (error as ConfigError).problems[0]!.replace(`PORTCULLIS_TRUSTED_PROXIES: ${JSON.stringify(bad)} `, '');
      }
      expect(policyMessage).not.toBeNull();
      expect(configMessage).toBe(policyMessage);
    }
  });

  it('keeps services and config off the feed and network adapters: they import the port', () => {
    const files = ['services/risk/feed-registry.ts', 'services/risk/feeds.ts', 'services/deps.ts', 'config/feeds.ts', 'config/settings.ts'];
    for (const file of files) {
      const source = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
      const adapterImports = source.split('\n').filter((l) => /from '(\.\.\/)+adapters\/(feeds|net)\//.test(l));
      expect({ file, adapterImports }).toEqual({ file, adapterImports: [] });
    }
  });
});
