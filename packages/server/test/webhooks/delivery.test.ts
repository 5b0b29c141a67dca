import { afterEach, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createHarness, type Harness } from '../support/harness.js';
import { createWebhookDispatcher } from '../../src/services/webhooks/dispatcher.js';
import { createWebhookSender } from '../../src/adapters/net/webhook-sender.js';
import { RETRY_DELAYS_MS } from '../../src/domain/webhooks/schedule.js';
import { startReceiver } from './receiver.js';

let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
afterEach(async () => {
  vi.useRealTimers();
  await receiver?.close();
  await h?.close();
});

/** The app with no background dispatcher: each test steps its own, on the frozen clock, with no jitter. */
async function setup(answer?: Parameters<typeof startReceiver>[0]) {
  h = await createHarness({ overrides: { webhooks: false } });
  h.clock.set(Date.parse('2026-12-01T12:00:00.000Z'));
  receiver = await startReceiver(answer);
  const dispatcher = createWebhookDispatcher({ store: h.deps.store, clock: h.deps.clock, box: h.deps.box, send: createWebhookSender({ allowLoopback: true }) }, { random: () => 0.5 });
  return dispatcher;
}

async function subscribe(events: string[]) {
  const res = await h.api('POST', '/api/v1/webhooks', { url: receiver.url, events, description: 'SIEM' });
  expect(res.statusCode).toBe(201);
  return res.json<{ data: { id: string; secret: string } }>().data;
}

/** Verifies as a receiver would, at the receiver's idea of now (the frozen clock). */
function verify(secret: string, index: number, now: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  try {
    const r = receiver.received[index]!;
    return new Webhook(secret).verify(r.body, r.headers);
  } finally {
    vi.useRealTimers();
  }
}

async function deliveries(id: string) {
  return (await h.api('GET', `/api/v1/webhooks/${id}/deliveries`)).json<{ data: Array<Record<string, unknown>> }>().data;
}

describe('webhook delivery', () => {
  it('creates an endpoint whose secret is shown once', async () => {
    await setup();
    const res = await h.api('POST', '/api/v1/webhooks', { url: receiver.url, events: ['user.signed_in', 'captcha.*'] });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.json().data;
    expect(created).toEqual({
      id: expect.stringMatching(/^whk_/), url: receiver.url, events: ['user.signed_in', 'captcha.*'], description: null, status: 'enabled',
      disabled_reason: null, created_at: '2026-12-01T12:00:00.000Z', updated_at: '2026-12-01T12:00:00.000Z', secret_rotated_at: null,
      previous_secret_expires_at: null, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const got = (await h.api('GET', `/api/v1/webhooks/${created.id}`)).json().data;
    expect(got).not.toHaveProperty('secret');
    expect(got.status).toBe('enabled');
    const listed = (await h.api('GET', '/api/v1/webhooks')).json();
    expect(listed).toEqual({ data: [got], meta: { next_cursor: null, limit: 50 } });
    const audit = (await h.api('GET', '/api/v1/audit/events?type=webhook.created')).json().data;
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(created.secret);
  });

  it('POSTs the audit entry with Standard Webhooks headers that the standardwebhooks package verifies', async () => {
    const dispatcher = await setup();
    const { id, secret } = await subscribe(['user.signed_in']);
    await h.createUser('ann@example.com', 'correct horse battery');
    expect((await h.login({ email: 'ann@example.com', password: 'correct horse battery' })).statusCode).toBe(200);
    expect(await dispatcher.runOnce()).toBe(1);
    const [event] = (await h.api('GET', '/api/v1/audit/events?type=user.signed_in')).json().data;
    const r = receiver.received[0]!;
    expect(r.headers['webhook-id']).toBe(event.id);
    expect(r.headers['webhook-timestamp']).toBe(String(Math.floor(h.clock.now() / 1000)));
    expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(secret, 0, h.clock.now())).toEqual(event);
    // A wrong secret or a changed body is refused by the same receiver.
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(r.body, r.headers)).toThrow();
    const [d] = await deliveries(id);
    expect(d).toEqual({
      id: expect.stringMatching(/^dlv_/), webhook_id: id, event_id: event.id, event_type: 'user.signed_in', status: 'delivered', attempts: 1,
      next_attempt_at: null, last_attempt_at: '2026-12-01T12:00:00.000Z', last_status: 204, last_error: null, created_at: event.occurred_at,
    });
    expect(receiver.received).toHaveLength(1); // user.created was not subscribed
  });

  it('retries a failing receiver on the schedule and delivers once it recovers, with the same webhook-id', async () => {
    const dispatcher = await setup((n) => (n <= 2 ? 500 : 200));
    const { id, secret } = await subscribe(['user.*']);
    await h.createUser('bo@example.com', 'correct horse battery');
    expect(await dispatcher.runOnce()).toBe(1);
    let [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status: 500, last_error: 'receiver answered 500', next_attempt_at: new Date(h.clock.now() + 5000).toISOString() });
    h.clock.advance(4999);
    expect(await dispatcher.runOnce()).toBe(0);
    h.clock.advance(1);
    expect(await dispatcher.runOnce()).toBe(1);
    [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: new Date(h.clock.now() + RETRY_DELAYS_MS[1]).toISOString() });
    h.clock.advance(RETRY_DELAYS_MS[1]);
    expect(await dispatcher.runOnce()).toBe(1);
    [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, last_status: 200, next_attempt_at: null });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([d!['event_id']]));
    expect(verify(secret, 2, h.clock.now())).toMatchObject({ type: 'user.created' });
  });

  it('disables the endpoint at once on 410 Gone, audited webhook.disabled, and queues nothing more', async () => {
    const dispatcher = await setup(() => 410);
    const { id } = await subscribe(['user.*']);
    await h.createUser('cy@example.com', 'correct horse battery');
    await dispatcher.runOnce();
    const hook = (await h.api('GET', `/api/v1/webhooks/${id}`)).json().data;
    expect(hook).toMatchObject({ status: 'disabled', disabled_reason: 'receiver answered 410 Gone' });
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, last_status: 410, next_attempt_at: null });
    const audit = (await h.api('GET', '/api/v1/audit/events?type=webhook.disabled')).json().data;
    expect(audit).toEqual([expect.objectContaining({ outcome: 'failure', actor: { kind: 'system', id: null }, target: { kind: 'webhook', id }, data: { reason: 'receiver answered 410 Gone' } })]);
    await h.createUser('dee@example.com', 'correct horse battery');
    expect(await deliveries(id)).toHaveLength(1);
    h.clock.advance(3600e3);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('gives a delivery up after the last retry and disables an endpoint that has failed for 5 days', async () => {
    const dispatcher = await setup(() => 503);
    const { id } = await subscribe(['user.created']);
    await h.createUser('eve@example.com', 'correct horse battery');
    const start = h.clock.now();
    await dispatcher.runOnce();
    for (const delay of RETRY_DELAYS_MS) {
      h.clock.advance(delay);
      expect(await dispatcher.runOnce()).toBe(1);
    }
    const [d] = await deliveries(id);
    expect(d).toMatchObject({ status: 'failed', attempts: RETRY_DELAYS_MS.length + 1, next_attempt_at: null });
    // About 3.2 days in: failing, but not yet for 5 days.
    expect((await h.api('GET', `/api/v1/webhooks/${id}`)).json().data.status).toBe('enabled');
    h.clock.set(start + 5 * 86_400e3);
    await h.createUser('fay@example.com', 'correct horse battery');
    await dispatcher.runOnce();
    expect((await h.api('GET', `/api/v1/webhooks/${id}`)).json().data).toMatchObject({ status: 'disabled', disabled_reason: 'failing for 5 days' });
    expect((await h.api('GET', '/api/v1/audit/events?type=webhook.disabled')).json().data).toHaveLength(1);
    // Re-enabled by an administrator, it starts a fresh window.
    const patched = await h.api('PATCH', `/api/v1/webhooks/${id}`, { status: 'enabled' });
    expect(patched.json().data).toMatchObject({ status: 'enabled', disabled_reason: null });
    // Newest first: the later event still waits for its retry, the first one stays given up (redeliver can revive it).
    expect((await deliveries(id)).map((x) => [x['status'], x['attempts']])).toEqual([['pending', 1], ['failed', RETRY_DELAYS_MS.length + 1]]);
  });

  it('redelivers a delivery on request with the same webhook-id', async () => {
    const dispatcher = await setup();
    const { id } = await subscribe(['user.created']);
    await h.createUser('gil@example.com', 'correct horse battery');
    await dispatcher.runOnce();
    const [d] = await deliveries(id);
    const res = await h.api('POST', `/api/v1/webhooks/${id}/deliveries/${d!['id']}/redeliver`);
    expect(res.statusCode).toBe(202);
    expect(res.json().data).toMatchObject({ id: d!['id'], status: 'pending', attempts: 1 });
    expect(await dispatcher.runOnce()).toBe(1);
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([d!['event_id'], d!['event_id']]);
    expect((await h.api('POST', `/api/v1/webhooks/${id}/deliveries/dlv_nope/redeliver`)).json()).toMatchObject({ error: 'not_found' });
  });

  it('signs with both secrets for 24 h after a rotation, then with the new one only', async () => {
    const dispatcher = await setup();
    const { id, secret: old } = await subscribe(['user.created']);
    const rotated = await h.api('POST', `/api/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret: fresh, previous_secret_expires_at } = rotated.json().data;
    expect(fresh).not.toBe(old);
    expect(previous_secret_expires_at).toBe(new Date(h.clock.now() + 86_400e3).toISOString());
    await h.createUser('hal@example.com', 'correct horse battery');
    await dispatcher.runOnce();
    expect(receiver.received[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(old, 0, h.clock.now())).toMatchObject({ type: 'user.created' });
    expect(verify(fresh, 0, h.clock.now())).toMatchObject({ type: 'user.created' });
    h.clock.advance(86_400e3 + 1);
    await h.createUser('ivy@example.com', 'correct horse battery');
    await dispatcher.runOnce();
    expect(verify(fresh, 1, h.clock.now())).toMatchObject({ type: 'user.created' });
    expect(() => verify(old, 1, h.clock.now())).toThrow();
  });

  it('stops delivering to a deleted endpoint', async () => {
    const dispatcher = await setup();
    const { id } = await subscribe(['user.created']);
    expect((await h.api('DELETE', `/api/v1/webhooks/${id}`)).statusCode).toBe(204);
    await h.createUser('jo@example.com', 'correct horse battery');
    expect(await dispatcher.runOnce()).toBe(0);
    expect((await h.api('GET', `/api/v1/webhooks/${id}`)).statusCode).toBe(404);
    expect((await h.api('GET', '/api/v1/audit/events?type=webhook.deleted')).json().data).toHaveLength(1);
  });
});
