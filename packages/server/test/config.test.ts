import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfig, ConfigError } from '../src/config/load.js';
import { productionProblems } from '../src/config/production-guard.js';
import { renderConfigDocs } from '../src/config/docs.js';
import { formatCidr } from '../src/domain/ip/address.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

describe('configuration', () => {
  it('fills defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', PORTCULLIS_DATA_DIR: './data', NODE_ENV: 'development', PORTCULLIS_ACCESS_TOKEN_TTL_S: 900 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes Redis Cluster seed nodes as host:port pairs, never together with REDIS_URL', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001' }).REDIS_CLUSTER_NODES).toBe('10.0.0.1:7000, redis-b.internal:7001');
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000' }).join('\n')).toMatch(/^REDIS_CLUSTER_NODES: /);
    expect(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1' }).join('\n')).toMatch(/^REDIS_CLUSTER_NODES: /);
    expect(problemsOf({ REDIS_URL: 'redis://x:6379', REDIS_CLUSTER_NODES: 'a:7000' })).toEqual([
      'REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    ]);
  });

  it('converts numbers from text', () => {
    expect(loadConfig({ PORT: '8080' }).PORT).toBe(8080);
  });

  it('reports every bad key at once, unknown PORTCULLIS_* keys included, without echoing secrets', () => {
    const problems = problemsOf({ PORT: 'abc', PORTCULLIS_NOPE: '1', PORTCULLIS_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://user:hunter2@x/db' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT: must be integer/);
    expect(problems.join('\n')).toMatch(/PORTCULLIS_NOPE: unknown setting/);
    expect(problems.join('\n')).toMatch(/PORTCULLIS_LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reports a bad proxy CIDR, a bad feed and ten other bad keys together, none capped', () => {
    const problems = problemsOf({
      PORT: 'abc', PORTCULLIS_ACCESS_TOKEN_TTL_S: '1', PORTCULLIS_REFRESH_TOKEN_TTL_S: '1', PORTCULLIS_APP_TOKEN_TTL_S: '1',
      PORTCULLIS_SECRET_OVERLAP_S: '-1', PORTCULLIS_HASH_CONCURRENCY: '1000', PORTCULLIS_HASH_QUEUE: 'x', PORTCULLIS_BODY_LIMIT: '1',
      PORTCULLIS_CLIENT_AUTH_LIMIT: '0', PORTCULLIS_LOG_LEVEL: 'loud',
      PORTCULLIS_TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.1/8, proxy.internal',
      PORTCULLIS_FEED_ALLOW_HOSTS: 'mirror.internal, https://x',
      PORTCULLIS_THREAT_FEEDS: JSON.stringify([
        { name: 'ok', category: 'tor', format: 'text', source: { path: '/feeds/tor.txt' } },
        { name: 'bad', category: 'ghosts', format: 'csv', source: { path: '/x' }, refresh_s: 5 },
        { name: 'ok', category: 'tor', format: 'text', source: { path: '/feeds/tor2.txt' } },
        { name: 'meta', category: 'tor', format: 'text', source: { url: 'https://169.254.169.254/latest' } },
        { name: 'mirror', category: 'tor', format: 'text', source: { url: 'https://mirror.internal/tor.txt' } },
      ]),
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PORT', 'PORTCULLIS_ACCESS_TOKEN_TTL_S', 'PORTCULLIS_REFRESH_TOKEN_TTL_S', 'PORTCULLIS_APP_TOKEN_TTL_S', 'PORTCULLIS_SECRET_OVERLAP_S',
      'PORTCULLIS_HASH_CONCURRENCY', 'PORTCULLIS_HASH_QUEUE', 'PORTCULLIS_BODY_LIMIT', 'PORTCULLIS_CLIENT_AUTH_LIMIT', 'PORTCULLIS_LOG_LEVEL',
      'PORTCULLIS_TRUSTED_PROXIES', 'PORTCULLIS_TRUSTED_PROXIES', 'PORTCULLIS_FEED_ALLOW_HOSTS',
      'PORTCULLIS_THREAT_FEEDS.1.category', 'PORTCULLIS_THREAT_FEEDS.1.format', 'PORTCULLIS_THREAT_FEEDS.1.refresh_s',
      'PORTCULLIS_THREAT_FEEDS.2.name', 'PORTCULLIS_THREAT_FEEDS.3.source.url',
    ]);
    expect(problems).toContain('PORTCULLIS_TRUSTED_PROXIES: "10.0.0.1/8" has address bits set after the /8 prefix');
    expect(problems).toContain('PORTCULLIS_TRUSTED_PROXIES: "proxy.internal" must be an IP address or CIDR such as 10.0.0.0/8 or 2001:db8::/32');
    expect(problems).toContain('PORTCULLIS_THREAT_FEEDS.3.source.url: must name a public address (169.254.169.254 is metadata); add the host to PORTCULLIS_FEED_ALLOW_HOSTS to allow it');
  });

  it('hands out trusted proxies, allowed hosts and platform feeds as typed, frozen values', () => {
    const feed = { name: 'tor', category: 'tor', format: 'text', source: { url: 'https://Mirror.Internal./tor.txt' }, refresh_s: 3600 };
    const config = loadConfig({ PORTCULLIS_TRUSTED_PROXIES: '10.0.0.0/8, ::ffff:192.168.0.0/112', PORTCULLIS_FEED_ALLOW_HOSTS: 'Mirror.Internal., [FD00::1]', PORTCULLIS_THREAT_FEEDS: JSON.stringify([feed]) });
    expect(config.trustedProxies.map(formatCidr)).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(config.feedAllowHosts).toEqual(['mirror.internal', 'fd00::1']);
    expect(config.threatFeeds).toEqual([feed]);
    expect(Object.isFrozen(config.threatFeeds[0]!.source)).toBe(true);
  });

  it('ignores unrelated environment variables', () => {
    expect(problemsOf({ HOME: '/root', PATH: '/bin' })).toEqual([]);
  });

  it('refuses dev keys, the emulator and a missing public URL in production', () => {
    const prod = loadConfig({ NODE_ENV: 'production', PORTCULLIS_CAPTCHA_EMULATOR: 'on' });
    expect(productionProblems(prod)).toEqual([
      'PORTCULLIS_MASTER_KEY is required in production (the generated dev key is refused)',
      'PORTCULLIS_CAPTCHA_EMULATOR=on is refused in production',
      'PORTCULLIS_PUBLIC_URL is required in production (token issuers derive from it)',
    ]);
    const good = loadConfig({ NODE_ENV: 'production', PORTCULLIS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), PORTCULLIS_PUBLIC_URL: 'https://id.example' });
    expect(productionProblems(good)).toEqual([]);
    expect(productionProblems(loadConfig({ PORTCULLIS_CAPTCHA_EMULATOR: 'on' }))).toEqual([]);
  });

  it('keeps docs/configuration.md generated from the schema', () => {
    const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });
});
