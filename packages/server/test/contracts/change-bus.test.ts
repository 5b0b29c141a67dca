/**
 * One contract for every tenant-change bus (in-process, Redis pub/sub, PostgreSQL LISTEN/NOTIFY):
 * a change reaches the other endpoints and not its sender; a bus whose server is gone never fails
 * the publisher; and a listener that lost its connection comes back and says "anything may have
 * changed", because messages sent meanwhile are gone.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeBus } from '../../src/ports/change-bus.js';
import { createMemoryChangeHub } from '../../src/adapters/memory/memory-change-bus.js';
import { createRedisChangeBus } from '../../src/adapters/redis/redis-change-bus.js';
import { createPgChangeBus } from '../../src/adapters/sql/pg-change-bus.js';
import { freePort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const REDIS = process.env['TEST_REDIS_URL'] || undefined;
const PG = process.env['TEST_DATABASE_URL'] || undefined;

interface Variant { name: string; available: boolean; endpoints(url?: string): () => ChangeBus; url?: string }

const variants: Variant[] = [
  { name: 'in-process hub', available: true, endpoints: () => { const hub = createMemoryChangeHub(); return () => hub.bus(); } },
  { name: 'Redis pub/sub', available: !!REDIS, url: REDIS, endpoints: (url = REDIS!) => { const channel = `portcullis-test:${randomUUID()}`; return () => createRedisChangeBus({ url, channel }); } },
  { name: 'PostgreSQL LISTEN/NOTIFY', available: !!PG, url: PG, endpoints: (url = PG!) => { const channel = `pt_${randomUUID().replace(/-/g, '')}`; return () => createPgChangeBus({ url, channel }); } },
];

const opened: ChangeBus[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

function listener(bus: ChangeBus): Array<string | undefined> {
  const heard: Array<string | undefined> = [];
  bus.subscribe((id) => heard.push(id));
  return heard;
}

/** Publishes until the listener has heard `expected` (a fresh subscription may not be active yet), within 3 s. */
async function until(heard: Array<string | undefined>, publish: () => Promise<void>, expected: string | undefined): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!heard.includes(expected)) {
    if (Date.now() > deadline) throw new Error(`never heard ${String(expected)}; heard ${JSON.stringify(heard)}`);
    await publish();
    await sleep(50);
  }
}

for (const variant of variants) {
  const run = variant.available ? it : it.skip;
  describe(`the ${variant.name} change bus`, () => {
    run('tells the other endpoints which tenant changed, or that anything may have, and never the sender', async () => {
      const endpoint = variant.endpoints();
      const [a, b, c] = [endpoint(), endpoint(), endpoint()];
      opened.push(a, b, c);
      const [heardA, heardB, heardC] = [listener(a), listener(b), listener(c)];
      await until(heardB, () => a.publish('tnt_warm'), 'tnt_warm');
      await until(heardC, () => a.publish('tnt_warm'), 'tnt_warm');
      // Warm-up messages may still be in flight: one fence, published once after them, arrives after
      // all of them (one sender's messages stay in order), so once both have heard it none is left.
      await a.publish('tnt_fence');
      await expect.poll(() => heardB.includes('tnt_fence') && heardC.includes('tnt_fence'), { timeout: 2000 }).toBe(true);
      heardB.length = 0;
      heardC.length = 0;
      await a.publish('tnt_01');
      await b.publish(undefined);
      await expect.poll(() => heardB, { timeout: 2000 }).toEqual(['tnt_01']);
      await expect.poll(() => heardC, { timeout: 2000 }).toEqual(['tnt_01', undefined]);
      expect(heardA).toEqual([undefined]);
    });

    // The in-process hub has no server to lose.
    if (variant.name === 'in-process hub') return;

    run('does not fail the publisher while its server is unreachable', async () => {
      const url = new URL(variant.url!);
      url.host = `127.0.0.1:${await freePort()}`;
      const bus = variant.endpoints(url.toString())();
      opened.push(bus);
      bus.subscribe(() => {});
      const started = Date.now();
      await expect(bus.publish('tnt_01')).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3000);
    });

    run('comes back after losing its connection and says anything may have changed', async () => {
      const target = new URL(variant.url!);
      const proxy = await startTcpProxy(target.hostname, Number(target.port || (variant.url!.startsWith('redis') ? 6379 : 5432)));
      proxies.push(proxy);
      const through = new URL(variant.url!);
      through.host = `127.0.0.1:${proxy.port}`;
      const endpoint = variant.endpoints(through.toString());
      const [a, b] = [endpoint(), endpoint()];
      opened.push(a, b);
      const heard = listener(b);
      await until(heard, () => a.publish('tnt_before'), 'tnt_before');
      heard.length = 0;
      await proxy.close(); // cuts every connection through it
      await sleep(200);
      await proxy.open();
      await expect.poll(() => heard.includes(undefined), { timeout: 10_000, interval: 100 }).toBe(true);
      await until(heard, () => a.publish('tnt_after'), 'tnt_after');
    });
  });
}
