import { afterAll, beforeAll, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { adminToken, createDeployment, createTenant, describeScale, eventually, request, type Deployment, type TenantHandle } from '../scale/support.js';
import { startReceiver } from './receiver.js';

/** Real `portcullis start` processes on one PostgreSQL schema: crashes and concurrency as they happen in production. */
describeScale('webhook delivery across processes', () => {
  let deployment: Deployment;
  let tenant: TenantHandle;
  beforeAll(async () => {
    deployment = await createDeployment();
    tenant = await createTenant(deployment, 'hooks', []);
  }, 60_000);
  afterAll(async () => {
    await deployment?.close();
  });

  async function api(base: string, method: string, path: string, json?: unknown) {
    const token = await adminToken(base, tenant);
    return request(`${base}${path}`, { method, json, headers: { 'x-tenant': tenant.slug, authorization: `Bearer ${token}` } });
  }

  async function subscribe(base: string, url: string) {
    const res = await api(base, 'POST', '/api/v1/webhooks', { url, events: ['user.created'] });
    expect(res.status).toBe(201);
    // Other instances see a new subscription within 1 s (DESIGN §12).
    await sleep(1200);
    return res.body.data as { id: string; secret: string };
  }

  it('delivers after a kill -9 mid-delivery, with the same webhook-id', async () => {
    let hold = true;
    const receiver = await startReceiver(() => (hold ? { status: 200, delayMs: 60_000 } : 200));
    try {
      const a = await deployment.start();
      const hook = await subscribe(a.url, receiver.url);
      expect((await api(a.url, 'POST', '/api/v1/users', { email: 'crash@example.com', password: 'correct horse battery' })).status).toBe(201);
      await eventually('first attempt reaches the receiver', 10_000, async () => (receiver.received.length === 1 ? true : undefined));
      await a.kill('SIGKILL');
      hold = false;
      const b = await deployment.start();
      // The dead instance's lease (timeout + 5 s) runs out, then the survivor sends it again.
      await eventually('redelivered after restart', 40_000, async () => (receiver.received.length >= 2 ? true : undefined));
      const [first, second] = receiver.received;
      expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
      expect(new Webhook(hook.secret).verify(second!.body, second!.headers)).toMatchObject({ type: 'user.created', id: first!.headers['webhook-id'] });
      const deliveries = await eventually('logged as delivered', 5000, async () => {
        const res = await api(b.url, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`);
        return res.body.data[0]?.status === 'delivered' ? res.body.data : undefined;
      });
      expect(deliveries).toHaveLength(1);
      await api(b.url, 'DELETE', `/api/v1/webhooks/${hook.id}`);
      await b.kill();
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('two instances never send one delivery at the same time, and each delivery is sent once', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 150 }));
    const a = await deployment.start();
    const b = await deployment.start();
    try {
      const hook = await subscribe(a.url, receiver.url);
      const token = { a: await adminToken(a.url, tenant), b: await adminToken(b.url, tenant) };
      const headers = (t: string) => ({ 'x-tenant': tenant.slug, authorization: `Bearer ${t}` });
      const n = 40;
      for (let i = 0; i < n; i++) {
        const [base, t] = i % 2 === 0 ? [a.url, token.a] : [b.url, token.b];
        const res = await request(`${base}/api/v1/users`, { method: 'POST', json: { email: `u${i}@example.com`, password: 'correct horse battery' }, headers: headers(t) });
        expect(res.status).toBe(201);
        await sleep(40);
      }
      await eventually('all delivered', 30_000, async () => (receiver.received.length >= n ? true : undefined));
      await sleep(2500); // room for a duplicate to show up
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(n);
      expect(ids).toHaveLength(n);
      expect(receiver.stats.maxConcurrentPerId).toBe(1);
      const res = await api(b.url, 'GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=100`);
      expect(res.body.data.map((d: { status: string; attempts: number }) => `${d.status}/${d.attempts}`)).toEqual(Array(n).fill('delivered/1'));
    } finally {
      await a.kill();
      await b.kill();
      await receiver.close();
    }
  }, 120_000);
});
