import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { classifyAddress, literalHostProblem } from '../../src/domain/ip/public-address.js';
import { parseIp } from '../../src/domain/ip/address.js';
import { BlockedTargetError, createGuardedFetch } from '../../src/adapters/net/guarded-fetch.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startHttpsFeedServer, tableResolver, TEST_CA, type HttpsFeedServer } from '../support/https-feed.js';

/** Issue 9 #4: a tenant admin must not turn threat feeds into a probe of the operator's network. */

const LIST = '# test list\n203.0.113.0/24\n';

describe('which URL hosts the text alone refuses', () => {
  it.each([
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254 is metadata'],
    ['https://169.254.0.1/', '169.254.0.1 is link-local'],
    ['https://127.0.0.1/', '127.0.0.1 is loopback'],
    ['https://127.1/', '127.0.0.1 is loopback'],
    ['https://0x7f000001/', '127.0.0.1 is loopback'],
    ['https://0177.0.0.1/', '127.0.0.1 is loopback'],
    ['https://2130706433/', '127.0.0.1 is loopback'],
    ['https://[::1]/', '[::1] is loopback'],
    ['https://[::ffff:127.0.0.1]/', '[::ffff:7f00:1] is loopback'],
    ['https://[64:ff9b::7f00:1]/', 'is loopback'], // NAT64 of 127.0.0.1
    ['https://[2002:7f00:1::]/', 'is loopback'], // 6to4 of 127.0.0.1
    ['https://10.0.0.1/', '10.0.0.1 is private'],
    ['https://172.16.5.4/', 'is private'],
    ['https://192.168.1.1/', 'is private'],
    ['https://[fd00:ec2::254]/', 'is private'],
    ['https://[fe80::1]/', 'is link-local'],
    ['https://100.64.0.1/', 'is shared'],
    ['https://100.100.100.200/', 'is shared'],
    ['https://0.0.0.0/', 'is unspecified'],
    ['https://[::]/', 'is unspecified'],
    ['https://224.0.0.251/', 'is multicast'],
    ['https://[ff02::1]/', 'is multicast'],
    ['https://255.255.255.255/', 'is broadcast'],
    ['https://240.0.0.1/', 'is reserved'],
    ['https://192.0.0.192/', 'is reserved'],
    ['https://198.18.0.1/', 'is benchmarking'],
    ['https://192.0.2.10/', 'is documentation'],
    ['https://[2001:db8::1]/', 'is documentation'],
    ['https://localhost/', 'must not name a loopback host'],
    ['https://LOCALHOST./', 'must not name a loopback host'],
    ['https://feeds.localhost/', 'must not name a loopback host'],
  ])('%s', (url, problem) => {
    expect(literalHostProblem(new URL(url))).toContain(problem);
  });

  it.each([
    'https://1.1.1.1/', 'https://172.32.0.1/', 'https://100.128.0.1/', 'https://[2606:4700:4700::1111]/',
    'https://[64:ff9b::808:808]/', 'https://feeds.example/list.txt', 'https://raw.githubusercontent.com/x/y',
  ])('lets %s through to the connect-time check', (url) => {
    expect(literalHostProblem(new URL(url))).toBeNull();
  });

  it('classifies each address once, whatever its spelling', () => {
    expect(classifyAddress(parseIp('::ffff:169.254.169.254')!)).toBe('metadata');
    expect(classifyAddress(parseIp('8.8.8.8')!)).toBe('public');
    expect(classifyAddress(parseIp('4000::1')!)).toBe('reserved'); // outside 2000::/3: unallocated
  });
});

describe('guarded fetch', () => {
  let server: HttpsFeedServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('refuses, at connect time, a name that resolves to loopback, private or a mix; nothing reaches the target', async () => {
    server = await startHttpsFeedServer({ '/list.txt': LIST });
    const { resolve, asked } = tableResolver({ 'feeds.test': ['127.0.0.1'], 'v6.test': ['::1'], 'mixed.test': ['93.184.216.34', '10.0.0.1'] });
    const fetch = createGuardedFetch({ resolve, ca: TEST_CA });
    for (const host of ['feeds.test', 'v6.test', 'mixed.test', 'nxdomain.test']) {
      const failure = await fetch(`https://${host}:${server.port}/list.txt`).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BlockedTargetError);
      expect((failure as Error).message).toBe('host did not resolve to a public address');
    }
    expect(asked).toEqual(['feeds.test', 'v6.test', 'mixed.test', 'nxdomain.test']);
    expect(server.connections()).toBe(0);
  });

  it('answers a literal private target the same whether or not anything listens there', async () => {
    server = await startHttpsFeedServer({ '/list.txt': LIST });
    const fetch = createGuardedFetch({ ca: TEST_CA });
    const up = await fetch(`https://127.0.0.1:${server.port}/list.txt`).catch((e: Error) => e.message);
    const down = await fetch('https://127.0.0.1:1/list.txt').catch((e: Error) => e.message);
    expect(up).toBe('host must name a public address (127.0.0.1 is loopback)');
    expect(down).toBe(up);
    expect(server.connections()).toBe(0);
  });

  it('reaches a host the operator allowed, and checks every redirect hop again', async () => {
    server = await startHttpsFeedServer({ '/list.txt': LIST, '/moved': { redirect: '/list.txt' }, '/escape': { redirect: 'https://inner.test/list.txt' } });
    const { resolve } = tableResolver({ 'feeds.test': ['127.0.0.1'], 'inner.test': ['127.0.0.1'] });
    const fetch = createGuardedFetch({ resolve, ca: TEST_CA, allowHosts: ['FEEDS.test.'] });
    const ok = await fetch(`https://feeds.test:${server.port}/moved`);
    expect([ok.status, await ok.text(), ok.url]).toEqual([200, LIST, `https://feeds.test:${server.port}/list.txt`]);
    await expect(fetch(`https://feeds.test:${server.port}/escape`)).rejects.toThrow('host did not resolve to a public address');
    expect(server.requests).toEqual(['/moved', '/list.txt', '/escape']);
  });
});

describe('threat feeds through the API', () => {
  let h: Harness | undefined;
  let server: HttpsFeedServer | undefined;
  afterEach(async () => { await h?.close(); await server?.close(); h = undefined; server = undefined; });

  it('answers 400 invalid_request naming source.url for a tenant feed that plainly targets the inside', async () => {
    h = await createHarness();
    for (const [url, message] of [
      ['https://169.254.169.254/latest/meta-data/', 'must name a public address (169.254.169.254 is metadata)'],
      ['https://0x7f000001/', 'must name a public address (127.0.0.1 is loopback)'],
      ['https://[::ffff:127.0.0.1]/', 'must name a public address ([::ffff:7f00:1] is loopback)'],
      ['https://10.0.0.1/list.txt', 'must name a public address (10.0.0.1 is private)'],
      ['https://localhost:8443/', 'must not name a loopback host'],
      ['https://user:pw@feeds.example/', 'must not carry credentials'],
    ]) {
      const res = await h.api('POST', '/api/v1/risk/feeds', { name: 'probe', category: 'known_bot', format: 'text', source: { url } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'invalid_request', message: 'The request is malformed or fails validation.',
        details: { fields: [{ path: 'source.url', message }] }, request_id: expect.stringMatching(/^req_/),
      });
    }
    expect(await h.deps.store.feeds.list(h.tenant.id)).toEqual([]);
  });

  it('reports a tenant feed whose name resolves inside as a fetch failure, the same whether the target is up or not', async () => {
    server = await startHttpsFeedServer({ '/list.txt': LIST });
    const { resolve } = tableResolver({ 'up.test': ['127.0.0.1'], 'down.test': ['127.0.0.1'] });
    // The operator allowing the host for platform feeds does not open it to tenants.
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }));
    h = await createHarness({ env: { PORTCULLIS_FEED_ALLOW_HOSTS: 'up.test' }, overrides: { feedGuard: { resolve, ca: TEST_CA }, logger } });
    const status = async (name: string, url: string) => {
      const res = await h!.api('POST', '/api/v1/risk/feeds', { name, category: 'known_bot', format: 'text', source: { url } });
      expect(res.statusCode).toBe(201);
      return res.json().data.status;
    };
    const up = await status('up', `https://up.test:${server.port}/list.txt`);
    const down = await status('down', 'https://down.test:1/list.txt');
    expect(up).toEqual({ loaded: false, entries: 0, loaded_at: null, consecutive_failures: 1, last_error: 'host did not resolve to a public address' });
    expect(down).toEqual(up);
    expect(server.connections()).toBe(0);
    // The operator's log says whose feed failed and why (issue 10 #15).
    expect(lines.filter((l) => l.msg === 'threat feed load failed').map((l) => [l.tenant_id, l.feed, l.scope, l.error])).toEqual([
      [h.tenant.id, 'up', 'tenant', 'host did not resolve to a public address'],
      [h.tenant.id, 'down', 'tenant', 'host did not resolve to a public address'],
    ]);
  });

  it('loads a platform feed from an internal host the operator allowed', async () => {
    server = await startHttpsFeedServer({ '/list.txt': LIST });
    const { resolve } = tableResolver({ 'feeds.test': ['127.0.0.1'] });
    h = await createHarness({
      env: {
        PORTCULLIS_FEED_ALLOW_HOSTS: 'feeds.test',
        PORTCULLIS_THREAT_FEEDS: JSON.stringify([{ name: 'mirror', category: 'known_bot', format: 'text', source: { url: `https://feeds.test:${server.port}/list.txt` } }]),
      },
      overrides: { feedGuard: { resolve, ca: TEST_CA } },
    });
    expect(h.deps.reputation.status(h.tenant.id)).toEqual([{ name: 'mirror', loaded: true, entries: 1, loadedAt: h.clock.now(), consecutiveFailures: 0, lastError: null }]);
    expect((await h.api('GET', '/api/v1/risk/ips/203.0.113.7')).json().data.feeds).toEqual([{ feed: 'mirror', category: 'known_bot', weight: null }]);
  });
});
