import type { ClusterOptions, RedisOptions } from 'ioredis';

// Redis Cluster hashes each key to one of 16384 slots spread over the masters; a script or a
// multi-key command must name keys of one slot only (else CROSSSLOT). Keys that share a hash
// tag (`{…}`) share a slot.

/**
 * Cluster settings from one node's: the same fail-fast rules (no offline queue, no resend, the
 * same deadlines and backoff), applied to the cluster and to every node connection.
 */
export function clusterOptions(node: RedisOptions): ClusterOptions {
  const { retryStrategy, enableOfflineQueue, ...perNode } = node;
  return {
    enableOfflineQueue,
    clusterRetryStrategy: (times) => retryStrategy?.(times) ?? 2000,
    slotsRefreshTimeout: node.connectTimeout,
    redisOptions: perNode,
  };
}

/** `f:<tenant>:rest` → `f:{<tenant>}:rest`: the tenant is the hash tag. A key without two `:` stays as it is. */
export function tagged(key: string): string {
  const first = key.indexOf(':');
  const second = first < 0 ? -1 : key.indexOf(':', first + 1);
  if (second <= first + 1 || /[{}]/.test(key.slice(0, second))) return key;
  return `${key.slice(0, first + 1)}{${key.slice(first + 1, second)}}${key.slice(second)}`;
}

/** What Redis Cluster hashes for a key: the text inside its first non-empty `{…}`, else the whole key. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** `host:port` (the REDIS_CLUSTER_NODES form) → an ioredis startup node. */
export function parseClusterNode(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

