import { Cluster, Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { clusterOptions, hashTag, parseClusterNode, tagged } from './redis-cluster.js';
import { CounterStoreUnavailableError } from '../../ports/counters.js';
import type { CounterHit, CounterOperation, CounterReading, Counters } from '../../ports/counters.js';

/**
 * Options for {@link createRedisCounters}: a URL of one Redis or the seed nodes of a Redis Cluster
 * (the adapter owns the connection), or a client (the caller does).
 */
export type RedisCountersOptions = (
  | { url: string; clusterNodes?: never; client?: never }
  | { clusterNodes: readonly string[]; url?: never; client?: never }
  | { client: Redis | Cluster; url?: never; clusterNodes?: never }
) & {
  /** Prepended to every key, so several deployments or test runs can share one Redis (default `portcullis:counters:`). */
  keyPrefix?: string;
  /** Longest wait for any operation, connection included, before it fails (default 500 ms). */
  commandTimeoutMs?: number;
  /** Longest wait for a TCP connection to Redis (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Told of connection errors of an owned client; messages name host and port, never keys. */
  onError?: (error: Error) => void;
};

// Both scripts run atomically inside Redis: no other client can act between INCR and PEXPIRE.
// The window is set whenever the key has none (PTTL < 0): a new key, and never an existing
// one, so a window starts at the first hit, and a key can never be left without expiry (an
// immortal counter would be a permanent lockout).
const HIT_LUA = `
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[i]) end
end
return counts`;

// Count and PTTL read in one script, so both describe the same moment (a GET and a PTTL sent
// apart could straddle the key's expiry). PTTL -2 (absent) and -1 (no expiry, never written by
// HIT_LUA) read as 0; a value that is not a number reads as 0 like peek does.
const INSPECT_LUA = `
local out = {}
for i, key in ipairs(KEYS) do
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then ttl = 0 end
  out[i] = { tonumber(redis.call('GET', key) or '0') or 0, ttl }
end
return out`;

const RELEASE_LUA = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

interface ScriptCommands {
  portcullisCountersHit(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  portcullisCountersRelease(key: string): Promise<number>;
  portcullisCountersInspect(numKeys: number, ...keys: string[]): Promise<[number, number][]>;
}

const BACKOFF_CAP_MS = 2000;

/**
 * Fail-fast client settings: no offline queue and no retries, so a command against a Redis
 * that is down fails at once instead of piling up; a replayed INCR after reconnect would count
 * an attempt twice, so nothing is resent. Reconnection goes on in the background with a capped
 * exponential backoff, and decisions resume as soon as Redis answers.
 */
export function redisCountersClientOptions(commandTimeoutMs = 500, connectTimeoutMs = 1000): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), BACKOFF_CAP_MS),
    connectionName: 'portcullis-counters',
  };
}

/**
 * `Counters` in Redis, shared by every instance of a scaled-out deployment. Any failure (down,
 * refused, timed out, or a reply error) rejects with `CounterStoreUnavailableError`: an unknown
 * count must never be read as zero. Keys are never logged or put in error messages.
 *
 * Operate this Redis with `maxmemory-policy noeviction` (or `volatile-ttl` sized with room):
 * an LRU policy lets a flood of spoofed keys evict an attacker's hot counter and reset it,
 * while a full `noeviction` Redis refuses writes, which reads as unavailable → challenge.
 * A timed-out `hit` may still have counted on the server; erring high is the safe side.
 *
 * On a Redis Cluster every key's second `:` segment (the tenant id in every key the services
 * build: `f:<tenant>:…`) becomes its hash tag, so one decision's keys share a slot and a `hit`
 * stays one script, one round trip, atomic. A call whose keys name different tags (never one
 * the services make) is split by tag and sent in parallel, atomic per key only.
 */
export function createRedisCounters(options: RedisCountersOptions): Counters {
  const prefix = options.keyPrefix ?? 'portcullis:counters:';
  const timeoutMs = options.commandTimeoutMs ?? 500;
  const owned = options.client === undefined;
  const client = options.client ?? (options.clusterNodes
    ? new Cluster(options.clusterNodes.map(parseClusterNode), clusterOptions(redisCountersClientOptions(timeoutMs, options.connectTimeoutMs)))
    : new Redis(options.url!, redisCountersClientOptions(timeoutMs, options.connectTimeoutMs)));
  const clustered = client instanceof Cluster;
  const full = (key: string) => prefix + (clustered ? tagged(key) : key);
  if (owned) client.on('error', (error: Error) => options.onError?.(error));
  client.defineCommand('portcullisCountersHit', { lua: HIT_LUA });
  client.defineCommand('portcullisCountersRelease', { lua: RELEASE_LUA, numberOfKeys: 1 });
  client.defineCommand('portcullisCountersInspect', { lua: INSPECT_LUA });
  const scripts = client as (Redis | Cluster) & ScriptCommands;

  /** One command per hash tag (one in all for a decision's keys), answers put back in key order. */
  async function bySlot<T>(keys: readonly string[], send: (keys: string[], at: number[]) => Promise<T[]>): Promise<T[]> {
    const named = keys.map(full);
    if (!clustered) return send(named, keys.map((_, i) => i));
    const groups = new Map<string, number[]>();
    named.forEach((key, i) => { const tag = hashTag(key); groups.set(tag, [...(groups.get(tag) ?? []), i]); });
    if (groups.size === 1) return send(named, keys.map((_, i) => i));
    const out: T[] = new Array(keys.length);
    await Promise.all([...groups.values()].map(async (at) => {
      const answers = await send(at.map((i) => named[i]!), at);
      at.forEach((i, j) => { out[i] = answers[j]!; });
    }));
    return out;
  }

  // Without an offline queue, a command sent while the first connection is still being made
  // would fail; only that first time is waited for (within the deadline). Later outages fail at once.
  const firstReady = new Promise<void>((resolve) => {
    if (client.status === 'ready') resolve();
    else client.once('ready', () => resolve());
  });

  async function run<T>(operation: CounterOperation, command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    // Our own deadline as well as the client's: a caller-supplied client may queue or retry.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([firstReady.then(command), deadline]);
    } catch (error) {
      // Only the class and message travel on: ioredis reply errors carry the command's arguments (the keys).
      const cause = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      throw new CounterStoreUnavailableError(operation, { cause });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async hit(hits: readonly CounterHit[]): Promise<number[]> {
      if (hits.length === 0) return [];
      const windows = hits.map(({ windowMs }) => checkDuration(windowMs, 'windowMs'));
      return run('hit', () => bySlot(hits.map(({ key }) => key), (keys, at) =>
        scripts.portcullisCountersHit(keys.length, ...keys, ...at.map((i) => windows[i]!))));
    },

    async peek(keys: readonly string[]): Promise<number[]> {
      if (keys.length === 0) return [];
      const values = await run('peek', () => bySlot(keys, (slotKeys) => client.mget(slotKeys)));
      return values.map((value) => (value === null ? 0 : Number.parseInt(value, 10) || 0));
    },

    async inspect(keys: readonly string[]): Promise<CounterReading[]> {
      if (keys.length === 0) return [];
      const rows = await run('inspect', () => bySlot(keys, (slotKeys) => scripts.portcullisCountersInspect(slotKeys.length, ...slotKeys)));
      return rows.map(([count, ttlMs]) => ({ count, ttlMs }));
    },

    async release(key: string): Promise<void> {
      await run('release', () => scripts.portcullisCountersRelease(full(key)));
    },

    async reset(keys: readonly string[]): Promise<void> {
      if (keys.length === 0) return;
      await run('reset', () => bySlot(keys, async (slotKeys) => { await client.del(...slotKeys); return []; }));
    },

    async once(key: string, ttlMs: number): Promise<boolean> {
      const ttl = checkDuration(ttlMs, 'ttlMs');
      const reply = await run('once', () => client.set(full(key), '1', 'PX', ttl, 'NX'));
      return reply === 'OK';
    },

    async close(): Promise<void> {
      if (!owned) return; // the caller's client, the caller's to close
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/** Windows and TTLs are whole milliseconds ≥ 1, as PEXPIRE and SET PX require. */
function checkDuration(ms: number, name: string): number {
  if (!Number.isFinite(ms) || ms < 1) throw new RangeError(`${name} must be a positive number of milliseconds`);
  return Math.ceil(ms);
}
