/**
 * The counters contract on a real three-master Redis Cluster started by this file, plus what
 * only a cluster can get wrong: one decision's keys in one slot (one script, one round trip),
 * tenants spread over the masters, and failing fast when no node answers.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RISK_POLICY } from '@portcullis/protocol';
import { createRedisCounters } from '../../src/adapters/redis/redis-counters.js';
import { CounterStoreUnavailableError } from '../../src/ports/counters.js';
import { counterHits, recognitionKeys, subjectsFor } from '../../src/services/risk/subjects.js';
import { freePort } from '../support/tcp-proxy.js';
import { clusterSkipReason, startRedisCluster, type OwnCluster } from '../support/redis-cluster.js';
import { describeCountersContract } from './counters-contract.js';

const skip = clusterSkipReason();

if (skip) {
  describe.skip(`redis cluster counters (${skip})`, () => { it('runs when redis-server is installed', () => {}); });
} else {
  let cluster: OwnCluster;
  let masters: Redis[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster();
    masters = cluster.ports.map((port) => new Redis({ port, host: '127.0.0.1' }));
  }, 60_000);
  afterAll(async () => {
    for (const m of masters) m.disconnect();
    await cluster?.stop();
  });

  describeCountersContract('redis cluster (3 masters)', (namespace) => {
    const counters = createRedisCounters({ clusterNodes: cluster.nodes, keyPrefix: `t:${namespace}:`, commandTimeoutMs: 1000 });
    return { counters, advance: (ms) => sleep(ms), dispose: () => counters.close() };
  });

  /** Scripts run on all masters so far (EVAL and EVALSHA), from INFO commandstats. */
  async function scriptCalls(): Promise<number> {
    let total = 0;
    for (const m of masters) {
      const info = await m.info('commandstats');
      for (const match of info.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)) total += Number(match[1]);
    }
    return total;
  }

  describe('redis cluster counters: slots', () => {
    it("puts one decision's keys in one slot and counts them with one script", async () => {
      const counters = createRedisCounters({ clusterNodes: cluster.nodes, keyPrefix: 'slot:' });
      const tenant = `tnt_${randomUUID()}`;
      const subjects = subjectsFor(tenant, 'anita@example.com', '203.0.113.7', 'vis_1');
      const hits = counterHits(tenant, subjects, DEFAULT_RISK_POLICY);
      const marks = recognitionKeys(tenant, subjects);
      await counters.inspect([hits.ipFailures.key]); // loads the scripts' connections
      const before = await scriptCalls();
      expect(await counters.hit(Object.values(hits))).toEqual([1, 1, 1, 1, 1]);
      expect(await scriptCalls()).toBe(before + 1);
      await counters.hit([{ key: marks.device!, windowMs: 60_000 }, { key: marks.address!, windowMs: 60_000 }]);

      const slots = new Set<number>();
      let found = 0;
      for (const m of masters) {
        const keys = await m.keys(`slot:*${tenant}*`);
        found += keys.length;
        for (const key of keys) slots.add(Number(await m.cluster('KEYSLOT', key)));
      }
      expect(found).toBe(7);
      expect(slots.size).toBe(1);
      await counters.close();
    });

    it('spreads many tenants over every master', async () => {
      const counters = createRedisCounters({ clusterNodes: cluster.nodes, keyPrefix: 'spread:' });
      await Promise.all(Array.from({ length: 60 }, (_, i) => counters.hit([{ key: `f:tnt_${i}:ipf:60:x`, windowMs: 60_000 }])));
      const perMaster = await Promise.all(masters.map(async (m) => (await m.keys('spread:*')).length));
      expect(perMaster.reduce((a, b) => a + b, 0)).toBe(60);
      for (const n of perMaster) expect(n).toBeGreaterThan(5);
      await counters.close();
    });

    it('fails fast with CounterStoreUnavailableError when no node answers', async () => {
      const nodes = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
      const counters = createRedisCounters({ clusterNodes: nodes, keyPrefix: 'down:', commandTimeoutMs: 300 });
      const started = performance.now();
      const error = await counters.hit([{ key: 'f:t:ipf:60:x', windowMs: 1000 }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CounterStoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(800);
      await counters.close();
    });
  });
}
