// Threat-feed IP lookup on the real X4BNet datacenter and VPN lists (test-data/ in the
// repo): speed against a naive scan measured in the same run, tail latency, heap, build.
// Every sign-in pays for this lookup, so it must stay far below the cost of the request itself.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseCidr, parseIp, parseIpInto } from '../packages/server/dist/domain/ip/address.js';
import { buildCidrSet } from '../packages/server/dist/domain/ip/cidr-set.js';
import { createFeedSet } from '../packages/server/dist/adapters/feeds/feed-set.js';
import { parseTextFeed } from '../packages/server/dist/adapters/feeds/text-feed.js';

const LISTS = new URL('../test-data/ip-lists/x4bnet/', import.meta.url);
const CATEGORIES = ['datacenter', 'vpn'];
const PROBES = 8192;
const BATCH = 16;
const BATCHES = 50_000;

/** Benchmark rows: `{ name, value, unit, baseline, baselineUnit, ratio, goal }`. */
export async function run() {
  const gc = exposeGc();
  const texts = CATEGORIES.map((c) => ['ipv4', 'ipv6'].map((f) => readFileSync(new URL(`${c}-${f}.txt`, LISTS), 'utf8')).join('\n'));

  // Heap held by the loaded lists: what one more loaded feed set holds, measured as what the
  // heap gives back when it is dropped (typed arrays included: they live in arrayBuffers).
  // Measuring a drop rather than a rise keeps garbage left by earlier work out of the figure.
  const load = async () => {
    const set = createFeedSet(CATEGORIES.map((category) => ({
      name: category, category, format: 'text', source: { path: `${category}.txt` },
    })), { readFile: async (path) => Buffer.from(texts[CATEGORIES.indexOf(path.slice(0, -4))]) });
    return { set, status: await set.start() };
  };
  let extra = await load();
  gc();
  const heapLoaded = heapNow();
  extra.set.close();
  extra = null;
  gc();
  const heapMb = (heapLoaded - heapNow()) / 2 ** 20;

  const started = process.hrtime.bigint();
  const { set: feedSet, status } = await load();
  const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!status.every((s) => s.loaded)) throw new Error(`lists failed to load: ${JSON.stringify(status)}`);

  const naive = createNaive(texts);
  const probes = makeProbes(texts, mulberry32(20240601));
  const fast = (ip) => {
    let found = 0;
    for (const hit of feedSet.lookup(ip)) found |= 1 << CATEGORIES.indexOf(hit.feed);
    return found;
  };
  for (const ip of probes) {
    if (fast(ip) !== naive.fromText(ip)) throw new Error(`fast and naive disagree on ${ip}`);
  }

  // The same two questions on addresses parsed beforehand: the data structures alone.
  const sets = texts.map((text) => buildCidrSet(parseTextFeed(text).cidrs));
  const parsed = probes.map((ip) => parseIp(ip));
  const fastParsed = (ip) => (sets[0].lookupAddress(ip) >= 0 ? 1 : 0) | (sets[1].lookupAddress(ip) >= 0 ? 2 : 0);

  const fastNs = nsPerOp(fast, probes, 400);
  const naiveNs = nsPerOp(naive.fromText, probes, 1500);
  const fastParsedNs = nsPerOp(fastParsed, parsed, 400);
  const naiveParsedNs = nsPerOp(naive.fromParsed, parsed, 1500);
  const { p50: p50Ns, p99: p99Ns } = perLookupPercentiles(fast, probes);
  feedSet.close();
  const cidrCount = status.reduce((n, s) => n + s.entries, 0);

  return [
    row('IP lookup from text, 2 lists, mixed v4/v6', fastNs, 'ns/op', naiveNs, 'ns/op (naive scan)', naiveNs / fastNs, '≥ 5000× faster than naive'),
    row('IP match on parsed address, 2 lists', fastParsedNs, 'ns/op', naiveParsedNs, 'ns/op (naive scan)', naiveParsedNs / fastParsedNs, '≥ 5000× faster than naive'),
    row(`IP lookup from text p50 (${BATCH}-lookup batches)`, p50Ns, 'ns', null, null, null, '≤ 200 ns'),
    row(`IP lookup from text p99 (${BATCH}-lookup batches)`, p99Ns, 'ns', null, null, null, '≤ 1000 ns'),
    row(`heap held by ${cidrCount} CIDRs`, heapMb, 'MB', null, null, null, '≤ 50 MB'),
    row('load and build all lists', buildMs, 'ms', null, null, null, '< 1000 ms'),
  ];
}

function row(name, value, unit, baseline, baselineUnit, ratio, goal) {
  const round = (v) => (v === null ? null : Number(v.toPrecision(4)));
  return { name, value: round(value), unit, baseline: round(baseline), baselineUnit, ratio: round(ratio), goal };
}

/**
 * The obvious implementation: every CIDR parsed once (by the same parser) into mask and network
 * words, and each lookup tests them one by one, stopping at the first hit per list. It returns
 * exactly what the fast path returns (a bit per list), checked on every probe above.
 */
function createNaive(texts) {
  const lists = texts.map((text) => {
    const v4 = [];
    const v6 = [];
    for (const line of text.split('\n')) {
      const cidr = line.trim() && parseCidr(line);
      if (!cidr) continue;
      const masks = [...cidr.words].map((_, i) => {
        const bits = Math.min(32, Math.max(0, cidr.prefix - 32 * i));
        return bits === 0 ? 0 : (0xffffffff << (32 - bits)) | 0;
      });
      const net = [...cidr.words].map((w) => w | 0);
      (cidr.version === 4 ? v4 : v6).push({ net, masks });
    }
    return { v4, v6 };
  });
  const contains = (c, words, n) => {
    for (let i = 0; i < n; i++) if ((words[i] & c.masks[i]) !== c.net[i]) return false;
    return true;
  };
  const fromParsed = (ip) => {
    let found = 0;
    if (!ip) return found;
    const n = ip.version === 4 ? 1 : 4;
    lists.forEach((list, bit) => {
      for (const c of ip.version === 4 ? list.v4 : list.v6) if (contains(c, ip.words, n)) { found |= 1 << bit; break; }
    });
    return found;
  };
  const scratch = new Uint32Array(4);
  const fromText = (ip) => {
    const version = parseIpInto(ip, scratch);
    return version === 0 ? 0 : fromParsed({ version, words: scratch });
  };
  return { fromText, fromParsed };
}

/** Half IPv4, half IPv6; of each, half inside a random listed network and half anywhere. */
function makeProbes(texts, rand) {
  const cidrs = texts.flatMap((t) => t.split('\n').map((l) => parseCidr(l)).filter(Boolean));
  const byVersion = { 4: cidrs.filter((c) => c.version === 4), 6: cidrs.filter((c) => c.version === 6) };
  const word = () => Math.floor(rand() * 2 ** 32);
  const probes = [];
  for (let i = 0; i < PROBES; i++) {
    const version = i % 2 === 0 ? 4 : 6;
    const n = version === 4 ? 1 : 4;
    const words = Array.from({ length: n }, word);
    if (version === 6) words[0] = (words[0] & 0x1fffffff) | 0x20000000; // 2000::/3, where the lists live
    if (i % 4 < 2) {
      const pool = byVersion[version];
      const c = pool[Math.floor(rand() * pool.length)];
      for (let w = 0; w < n; w++) {
        const bits = Math.min(32, Math.max(0, c.prefix - 32 * w));
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        words[w] = ((c.words[w] & mask) | (words[w] & ~mask)) >>> 0;
      }
    }
    probes.push(version === 4 ? words.map((w) => [w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255].join('.')).join('')
      : words.flatMap((w) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)]).join(':'));
  }
  return probes;
}

/** Mean cost over as many passes through the probes as fit in `budgetMs` (after a warm-up pass). */
function nsPerOp(lookup, probes, budgetMs) {
  let sink = 0;
  for (const ip of probes) sink += lookup(ip);
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < BigInt(budgetMs) * 1_000_000n) {
    for (const ip of probes) sink += lookup(ip);
    ops += probes.length;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink < 0) throw new Error('unreachable');
  return Number(elapsed) / ops;
}

/**
 * One lookup takes less time than the clock can resolve (a clock read costs about as much), so
 * single lookups cannot be timed. Instead BATCH consecutive lookups of distinct random probes are
 * timed together and each batch's mean is one sample; the p50 and p99 of those samples are
 * reported. A GC pause, deoptimisation or cache-missing run of probes shows up in its batch; what
 * the averaging hides is one slow probe among fast ones, but every probe does the same bounded
 * work (one parse, at most ~17 binary-search steps per list), so no single probe can be far slower.
 * The clock is `performance.now()` (a double: reading it allocates nothing, unlike a BigInt, so the
 * timing itself causes no GC); batches are short so that a preemption by another process on a
 * loaded machine lands in as few samples as possible.
 */
function perLookupPercentiles(lookup, probes) {
  const samples = new Float64Array(BATCHES);
  let sink = 0;
  for (let b = 0; b < BATCHES; b++) {
    const offset = (b * 7919) % (probes.length - BATCH);
    const t0 = performance.now();
    for (let i = offset; i < offset + BATCH; i++) sink += lookup(probes[i]);
    samples[b] = ((performance.now() - t0) * 1e6) / BATCH;
  }
  if (sink < 0) throw new Error('unreachable');
  samples.sort();
  return { p50: samples[Math.floor(BATCHES * 0.5)], p99: samples[Math.floor(BATCHES * 0.99)] };
}

function heapNow() {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function exposeGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
