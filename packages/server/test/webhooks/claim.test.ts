import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { DATABASES, requirePostgresInCi } from '../support/database.js';
import { createWebhookDispatcher } from '../../src/services/webhooks/dispatcher.js';
import { createWebhookSender } from '../../src/adapters/net/webhook-sender.js';
import { startReceiver } from './receiver.js';

requirePostgresInCi();

describe.each(DATABASES)('claiming deliveries on $name', ({ name, available }) => {
  let h: Harness | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  afterEach(async () => {
    await receiver?.close();
    await h?.close();
  });

  it.skipIf(!available)('gives each due delivery to one of several racing dispatchers, and a lost lease back after it runs out', async () => {
    h = await createHarness({ database: name as 'sqlite' | 'postgres', overrides: { webhooks: false } });
    receiver = await startReceiver(() => ({ status: 204, delayMs: 20 }));
    expect((await h.api('POST', '/api/v1/webhooks', { url: receiver.url, events: ['user.created'] })).statusCode).toBe(201);
    for (let i = 0; i < 30; i++) await h.createUser(`c${i}@example.com`, 'correct horse battery');
    const send = createWebhookSender({ allowLoopback: true });
    const dispatchers = Array.from({ length: 4 }, (_, i) => createWebhookDispatcher({ store: h!.deps.store, clock: h!.deps.clock, box: h!.deps.box, send }, { owner: `d${i}`, batch: 5 }));
    const counts = await Promise.all(dispatchers.map(async (d) => {
      let n = 0;
      for (let got = await d.runOnce(); got > 0; got = await d.runOnce()) n += got;
      return n;
    }));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    expect(receiver.stats.maxConcurrentPerId).toBe(1);

    // A lease held by a dispatcher that died is invisible until it runs out, then claimable again.
    await h.createUser('late@example.com', 'correct horse battery');
    const [held] = await h.deps.store.webhooks.claim('dead', h.deps.clock.now(), 15_000, 10);
    expect(held).toBeDefined();
    expect(await dispatchers[0]!.runOnce()).toBe(0);
    h.clock.advance(15_001);
    expect(await dispatchers[0]!.runOnce()).toBe(1);
    expect(await h.deps.store.webhooks.settle(held!.id, 'dead', { kind: 'delivered', atMs: h.clock.now(), status: 200 })).toBe(false);
    expect(await h.deps.store.webhooks.settleDelivered('dead', [{ id: held!.id, atMs: h.clock.now(), status: 200 }])).toBe(0);
    // Successes recorded together keep each one's own time and status.
    await h.createUser('x1@example.com', 'correct horse battery');
    await h.createUser('x2@example.com', 'correct horse battery');
    const [a, b, none] = await h.deps.store.webhooks.claim('live', h.clock.now(), 15_000, 10);
    expect(none).toBeUndefined();
    expect(await h.deps.store.webhooks.settleDelivered('live', [{ id: a!.id, atMs: 1_000_000, status: 200 }, { id: b!.id, atMs: 2_000_000, status: 202 }])).toBe(2);
    const log = await h.deps.store.webhooks.deliveries(a!.tenantId, a!.endpointId, undefined, 50);
    expect(log.filter((d) => d.id === a!.id || d.id === b!.id).map((d) => [d.id, d.status, d.attempts, d.lastAttemptMs, d.lastStatus]).sort())
      .toEqual([[a!.id, 'delivered', 1, 1_000_000, 200], [b!.id, 'delivered', 1, 2_000_000, 202]].sort());
  }, 60_000);
});
