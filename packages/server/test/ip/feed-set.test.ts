import { describe, expect, it } from 'vitest';
import { createFeedSet } from '../../src/adapters/feeds/feed-set.js';
import type { FeedDefinition } from '../../src/ports/feeds.js';
import { checkFeedSource, readFeedSource } from '../../src/adapters/feeds/source.js';
import { dataDir } from './real-data.js';

/** Timers driven by the test: nothing fires until `fire()`. */
function manualTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  return {
    pending,
    set: (run: () => void, ms: number) => { pending.set(++next, { run, ms }); return next; },
    clear: (handle: unknown) => { pending.delete(handle as number); },
    fire() {
      const [id, timer] = [...pending][0]!;
      pending.delete(id);
      timer.run();
    },
  };
}

/** A fetch that answers from a script, one step per call. */
function scriptedFetch(steps: (() => Response | Promise<Response>)[]) {
  const calls: string[] = [];
  const fetch = (async (url: string) => {
    calls.push(url);
    const step = steps.shift();
    if (!step) throw new Error('no scripted answer');
    return step();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const text = (body: string, status = 200) => () => new Response(body, { status });
const offline = () => { throw new TypeError('fetch failed: ECONNREFUSED'); };

const TOR: FeedDefinition = { name: 'tor-exits', category: 'tor', weight: 45, format: 'text', source: { url: 'https://feeds.example/tor.txt' }, refresh_s: 60 };

describe('feed set', () => {
  it('refreshes on its interval, swaps in the new list, and keeps the last good copy through failures', async () => {
    const timers = manualTimers();
    const failures: [string, string, number][] = [];
    const { fetch, calls } = scriptedFetch([
      text('198.51.100.1\n'), text('198.51.100.2\n'),
      offline, text('', 503), text('<html>maintenance</html>\n'), offline,
      text('198.51.100.3\n'), offline,
    ]);
    let now = 1_000;
    const feeds = createFeedSet([TOR], {
      fetch, timers, clock: { now: () => now },
      onFetchFailed: (name, error, count) => failures.push([name, error.message, count]),
    });
    const hit = [{ feed: 'tor-exits', category: 'tor', weight: 45 }];
    const tick = async () => { now += 60_000; timers.fire(); await feeds.refresh('tor-exits'); };

    expect(await feeds.start()).toEqual([{ name: 'tor-exits', loaded: true, entries: 1, loadedAt: 1_000, consecutiveFailures: 0, lastError: null }]);
    expect(feeds.lookup('198.51.100.1')).toEqual(hit);
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([60_000]);

    await tick();
    expect(feeds.lookup('198.51.100.1')).toEqual([]);
    expect(feeds.lookup('198.51.100.2')).toEqual(hit);

    await tick(); // offline
    await tick(); // 503
    expect(failures).toEqual([]);
    await tick(); // an error page is a failure too, not an empty list
    expect(failures).toEqual([['tor-exits', expect.stringContaining('no valid entry'), 3]]);
    await tick(); // offline again: still reported, with the running count
    expect(failures.map((f) => f[2])).toEqual([3, 4]);
    expect(feeds.lookup('198.51.100.2')).toEqual(hit);
    expect(feeds.status()[0]).toMatchObject({ loaded: true, loadedAt: 61_000, consecutiveFailures: 4, lastError: expect.stringContaining('ECONNREFUSED') });

    await tick(); // recovers
    expect(feeds.lookup('198.51.100.3')).toEqual(hit);
    expect(feeds.status()[0]).toMatchObject({ consecutiveFailures: 0, lastError: null });
    await tick(); // one failure after a success starts counting afresh
    expect(failures).toHaveLength(2);
    expect(calls).toHaveLength(8);

    feeds.close();
    expect(timers.pending.size).toBe(0);
  });

  it('answers every category from every feed in one lookup', async () => {
    const { fetch } = scriptedFetch([text('81.2.69.0/24\n')]);
    const feeds = createFeedSet([
      TOR,
      { name: 'anon', category: 'vpn', format: 'mmdb', source: { path: `${dataDir}mmdb/GeoIP2-Anonymous-IP-Test.mmdb` } },
    ], { fetch, timers: manualTimers() });
    await feeds.start();
    const hits = feeds.lookup('81.2.69.1');
    expect(hits.map((h) => `${h.feed}:${h.category}`).sort()).toEqual(
      ['anon:datacenter', 'anon:proxy', 'anon:tor', 'anon:vpn', 'tor-exits:tor']);
    expect(feeds.lookup('192.0.2.1')).toEqual([]);
    expect(feeds.remove('tor-exits')).toBe(true);
    expect(feeds.lookup('81.2.69.1').every((h) => h.feed === 'anon')).toBe(true);
    feeds.close();
  });

  it('starts with a failed feed empty and reports, without rejecting', async () => {
    const timers = manualTimers();
    const failures: number[] = [];
    const feeds = createFeedSet([{ ...TOR, source: { path: '/nonexistent/feed.txt' } }], {
      timers, onFetchFailed: (_n, _e, count) => failures.push(count),
    });
    expect((await feeds.start())[0]).toMatchObject({ loaded: false, consecutiveFailures: 1, lastError: expect.stringContaining('ENOENT') });
    expect(feeds.lookup('198.51.100.1')).toEqual([]);
    timers.fire(); await feeds.refresh('tor-exits');
    timers.fire(); await feeds.refresh('tor-exits');
    expect(failures).toEqual([3]);
    feeds.close();
  });

  it('discards a refresh that lands after close, and refuses duplicate names', async () => {
    let release!: (r: Response) => void;
    const timers = manualTimers();
    const fetch = (() => new Promise<Response>((resolve) => { release = resolve; })) as unknown as typeof globalThis.fetch;
    const feeds = createFeedSet([TOR], { fetch, timers });
    const started = feeds.start();
    feeds.close();
    release(new Response('198.51.100.1\n'));
    await started;
    expect(feeds.lookup('198.51.100.1')).toEqual([]);
    expect(timers.pending.size).toBe(0);
    expect(() => createFeedSet([TOR, TOR])).toThrow(/duplicate/);
  });

  it('survives an audit hook that throws', async () => {
    const timers = manualTimers();
    const feeds = createFeedSet([{ ...TOR, source: { path: '/nonexistent' } }], {
      timers, failureThreshold: 1, onFetchFailed: () => { throw new Error('audit down'); },
    });
    await feeds.start();
    expect(timers.pending.size).toBe(1);
    feeds.close();
  });
});

describe('feed sources', () => {
  it('accepts files and https URLs only', () => {
    expect(checkFeedSource({ url: 'https://feeds.example/list.txt' })).toBeNull();
    expect(checkFeedSource({ path: '/etc/portcullis/tor.txt' })).toBeNull();
    expect(checkFeedSource({ url: 'http://feeds.example/list.txt' })).toBe('url must be https');
    expect(checkFeedSource({ url: 'https://user:pw@feeds.example/' })).toBe('url must not carry credentials');
    expect(checkFeedSource({ url: 'file:///etc/passwd' })).toBe('url must be https');
    expect(checkFeedSource({ url: 'nope' })).toBe('url is not a URL');
    expect(checkFeedSource({ path: ' ' })).toBe('path must not be empty');
  });

  it('never fetches a refused URL', async () => {
    const { fetch, calls } = scriptedFetch([text('1.2.3.4')]);
    await expect(readFeedSource({ url: 'http://feeds.example/x' }, { fetch })).rejects.toThrow(/https/);
    expect(calls).toEqual([]);
  });

  it('gives up after the timeout', async () => {
    const fetch = ((_url: string, init: RequestInit) => new Promise<Response>((_resolve, reject) => {
      init.signal!.addEventListener('abort', () => reject(init.signal!.reason));
    })) as unknown as typeof globalThis.fetch;
    await expect(readFeedSource({ url: 'https://slow.example/x' }, { fetch, timeoutMs: 20 })).rejects.toThrow(/timeout|aborted/i);
  });

  it('refuses an oversized body, declared or streamed', async () => {
    const big = 'x'.repeat(2048);
    const declared = scriptedFetch([() => new Response(big, { headers: { 'content-length': '2048' } })]);
    await expect(readFeedSource({ url: 'https://a.example/' }, { fetch: declared.fetch, maxBytes: 1024 })).rejects.toThrow(/larger/);
    const streamed = scriptedFetch([() => new Response(new Blob([big]).stream())]);
    await expect(readFeedSource({ url: 'https://a.example/' }, { fetch: streamed.fetch, maxBytes: 1024 })).rejects.toThrow(/larger/);
  });

  it('refuses what a redirect brought back over plain http', async () => {
    const response = new Response('1.2.3.4\n');
    Object.defineProperty(response, 'url', { value: 'http://mirror.example/list.txt' });
    const { fetch } = scriptedFetch([() => response]);
    await expect(readFeedSource({ url: 'https://feeds.example/list.txt' }, { fetch })).rejects.toThrow(/away from https/);
  });

  it('reads the body of a good answer', async () => {
    const { fetch } = scriptedFetch([text('1.2.3.4\n')]);
    expect((await readFeedSource({ url: 'https://feeds.example/x' }, { fetch })).toString()).toBe('1.2.3.4\n');
  });
});

describe('feed logs', () => {
  it('log each load with its entries and time, and each failure, never a credential or query string', async () => {
    const lines: { level: string; data: Record<string, unknown>; message: string }[] = [];
    const log = {
      info: (data: object, message: string) => lines.push({ level: 'info', data: data as Record<string, unknown>, message }),
      warn: (data: object, message: string) => lines.push({ level: 'warn', data: data as Record<string, unknown>, message }),
    };
    const { fetch } = scriptedFetch([text('198.51.100.0/24\n# comment\nnot-an-address\n')]);
    const feeds = createFeedSet([
      { name: 'geo', category: 'vpn', format: 'text', source: { url: 'https://download.example/geoip?edition_id=x&license_key=SECRET123' } },
      { name: 'creds', category: 'tor', format: 'text', source: { url: 'https://user:hunter2@feeds.example/list' } },
    ], { fetch, timers: manualTimers(), log, scope: 'tenant' });
    await feeds.start();
    const ms = expect.any(Number);
    expect(lines).toEqual([
      { level: 'warn', message: 'threat feed load failed', data: { feed: 'creds', scope: 'tenant', source: 'https://feeds.example/list', ms, consecutive_failures: 1, error: 'feed source refused: url must not carry credentials' } },
      { level: 'info', message: 'threat feed loaded', data: { feed: 'geo', scope: 'tenant', source: 'https://download.example/geoip', ms, entries: 1, invalid_lines: 1 } },
      { level: 'info', message: 'threat feeds started', data: { scope: 'tenant', feeds: 2, loaded: 1, entries: 1, ms } },
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/SECRET123|hunter2/);
    feeds.close();
  });
});
