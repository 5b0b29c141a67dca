import { afterEach, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookSender } from '../../src/adapters/net/webhook-sender.js';
import { createWebhookDispatcher } from '../../src/services/webhooks/dispatcher.js';
import { createHarness, type Harness } from '../support/harness.js';
import { startReceiver } from './receiver.js';

const servers: http.Server[] = [];
let h: Harness | undefined;
afterEach(async () => {
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
  await h?.close();
  h = undefined;
});

/** A receiver that answers with `respond` and counts the TCP connections it was given. */
async function receiver(respond: (res: http.ServerResponse) => void) {
  const stats = { connections: 0, closed: 0 };
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => respond(res)); });
  server.on('connection', (socket) => { stats.connections += 1; socket.on('close', () => { stats.closed += 1; }); });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, stats };
}

const post = { headers: { 'webhook-id': 'evt_1' }, body: '{}', timeoutMs: 10_000 };

describe('webhook sender', () => {
  it('reuses one connection for consecutive deliveries to a receiver that answers with a small body', async () => {
    const r = await receiver((res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    const send = createWebhookSender({ allowLoopback: true });
    for (let i = 0; i < 20; i++) expect((await send(r.url, post)).status).toBe(200);
    expect(r.stats.connections).toBe(1);
  });

  it('cuts off a huge answer after 64 KiB: the status counts, the connection is closed, nothing more is read', async () => {
    let written = 0;
    const r = await receiver((res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      // Writes as long as the socket takes it: 64 MiB if nobody stops reading.
      const pump = () => { while (written < 64 * 2 ** 20 && !res.destroyed) { written += chunk.length; if (!res.write(chunk)) return void res.once('drain', pump); } res.end(); };
      pump();
    });
    const send = createWebhookSender({ allowLoopback: true });
    expect((await send(r.url, post)).status).toBe(200);
    await vi.waitFor(() => expect(r.stats.closed).toBe(1));
    expect(written).toBeLessThan(16 * 2 ** 20);
  });

  it('does not wait on an answer whose body never ends: it returns after the status and at most 1 s more', async () => {
    const r = await receiver((res) => { res.writeHead(202); res.write('still going'); });
    const send = createWebhookSender({ allowLoopback: true });
    const started = Date.now();
    expect((await send(r.url, post)).status).toBe(202);
    expect(Date.now() - started).toBeLessThan(3000);
    await vi.waitFor(() => expect(r.stats.closed).toBe(1));
  });
});

describe('webhook dispatcher commits', () => {
  it('records the outcomes of deliveries that finish together in one shared transaction, not one each', async () => {
    h = await createHarness({ overrides: { webhooks: false } });
    const hooks = await startReceiver();
    try {
      const res = await h.api('POST', '/api/v1/webhooks', { url: hooks.url, events: ['user.*'] });
      expect(res.statusCode).toBe(201);
      for (let i = 0; i < 12; i++) await h.createUser(`u${i}@example.com`, 'correct horse battery');
      const transaction = vi.spyOn(h.deps.store, 'transaction');
      const dispatcher = createWebhookDispatcher({ store: h.deps.store, clock: h.deps.clock, box: h.deps.box, send: createWebhookSender({ allowLoopback: true }) }, { settleWindowMs: 200 });
      expect(await dispatcher.runOnce()).toBe(12);
      expect(hooks.received).toHaveLength(12);
      expect(transaction).toHaveBeenCalledTimes(1);
      const id = res.json<{ data: { id: string } }>().data.id;
      const log = (await h.api('GET', `/api/v1/webhooks/${id}/deliveries`)).json<{ data: Array<{ status: string; attempts: number }> }>().data;
      expect(log.map((d) => [d.status, d.attempts])).toEqual(Array.from({ length: 12 }, () => ['delivered', 1]));
    } finally {
      await hooks.close();
    }
  });
});
