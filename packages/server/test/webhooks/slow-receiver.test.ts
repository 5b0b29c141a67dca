import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness, type Harness } from '../support/harness.js';
import { startReceiver } from './receiver.js';

let h: Harness | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await receiver?.close();
  await h?.close();
});

describe('a slow webhook receiver', () => {
  it('does not delay sign-ins or other deliveries: both go on while one delivery hangs in the background dispatcher', async () => {
    receiver = await startReceiver((n) => (n === 1 ? { status: 200, delayMs: 8000 } : 204));
    h = await createHarness({ overrides: { webhooks: { intervalMs: 50 } } });
    const res = await h.api('POST', '/api/v1/webhooks', { url: receiver.url, events: ['user.signed_in'] });
    expect(res.statusCode).toBe(201);
    await h.createUser('lee@example.com', 'correct horse battery');
    const first = await h.login({ email: 'lee@example.com', password: 'correct horse battery' });
    expect(first.statusCode).toBe(200);
    for (let i = 0; receiver.received.length === 0 && i < 100; i++) await sleep(50);
    expect(receiver.received).toHaveLength(1);
    const started = Date.now();
    for (let i = 0; i < 5; i++) expect((await h.login({ email: 'lee@example.com', password: 'correct horse battery' })).statusCode).toBe(200);
    const elapsed = Date.now() - started;
    // Five sign-ins while the receiver still holds the first delivery (it answers after 8 s).
    expect(elapsed).toBeLessThan(4000);
    // Nor does it hold up the other deliveries: they go out while the first one still hangs.
    const [d] = (await h.api('GET', '/api/v1/webhooks')).json().data;
    let statuses: string[] = [];
    for (let i = 0; i < 60; i++) {
      const log = (await h.api('GET', `/api/v1/webhooks/${d.id}/deliveries`)).json().data as Array<{ status: string }>;
      statuses = log.map((x) => x.status);
      if (statuses.filter((s) => s === 'delivered').length === 5) break;
      await sleep(50);
    }
    expect(statuses).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'pending']);
  }, 30_000);
});
