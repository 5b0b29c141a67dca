import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createWebhookSender } from '../../src/adapters/net/webhook-sender.js';
import { createWebhookDispatcher } from '../../src/services/webhooks/dispatcher.js';
import { checkWebhookUrl } from '../../src/services/webhooks/target.js';
import { startReceiver } from './receiver.js';

let h: Harness | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await receiver?.close();
  await h?.close();
  h = undefined;
  receiver = undefined;
});

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string; details?: unknown }).details;
  }
  return undefined;
};

describe('webhook targets (SSRF)', () => {
  it('refuses loopback, private, link-local and metadata URLs in production, and plain http to anything', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://10.0.0.1/x', 'https://[::1]/x',
      'https://169.254.169.254/latest/meta-data/', 'https://0x7f000001/x', 'http://example.com/x', 'https://u:p@example.com/x']) {
      expect(refusal(() => checkWebhookUrl(url, true)), url).toEqual({ fields: [{ path: 'url', message: expect.any(String) }] });
    }
    expect(refusal(() => checkWebhookUrl('https://hooks.example.com/portcullis', true))).toBeUndefined();
  });

  it('allows http to loopback outside production, but nothing else private', () => {
    expect(refusal(() => checkWebhookUrl('http://127.0.0.1:8080/x', false))).toBeUndefined();
    expect(refusal(() => checkWebhookUrl('http://localhost:8080/x', false))).toBeUndefined();
    expect(refusal(() => checkWebhookUrl('http://10.0.0.1/x', false))).toBeDefined();
    expect(refusal(() => checkWebhookUrl('https://192.168.1.1/x', false))).toBeDefined();
    expect(refusal(() => checkWebhookUrl('http://example.com/x', false))).toBeDefined();
  });

  it('judges the address a name resolves to at send time: a public-looking name that rebinds to loopback is refused before connecting', async () => {
    receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    const rebinding = async () => [{ address: '127.0.0.1', family: 4 }];
    const production = createWebhookSender({ resolve: rebinding });
    await expect(production(`https://hooks.example.com:${port}/x`, { headers: {}, body: '{}', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ERR_TARGET_NOT_PUBLIC' });
    const metadata = createWebhookSender({ resolve: async () => [{ address: '169.254.169.254', family: 4 }] });
    await expect(metadata('https://hooks.example.com/x', { headers: {}, body: '{}', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ERR_TARGET_NOT_PUBLIC' });
    // Outside production loopback is fine, but http to a name resolving to a private address is not.
    const dev = createWebhookSender({ allowLoopback: true, resolve: async () => [{ address: '10.0.0.7', family: 4 }] });
    await expect(dev('http://hooks.localhost/x', { headers: {}, body: '{}', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ERR_TARGET_NOT_PUBLIC' });
    expect(receiver.received).toHaveLength(0);
  });

  it('does not follow redirects', async () => {
    receiver = await startReceiver(() => 307);
    const send = createWebhookSender({ allowLoopback: true });
    expect(await send(receiver.url, { headers: {}, body: '{}', timeoutMs: 2000 })).toEqual({ status: 307 });
    expect(receiver.received).toHaveLength(1);
  });

  it('records a refused target in the delivery log and keeps retrying on the schedule', async () => {
    h = await createHarness({ overrides: { webhooks: false } });
    const res = await h.api('POST', '/api/v1/webhooks', { url: 'https://hooks.example.com/in', events: ['user.created'] });
    expect(res.statusCode).toBe(201);
    const id = res.json().data.id;
    const send = createWebhookSender({ resolve: async () => [{ address: '10.1.2.3', family: 4 }] });
    const dispatcher = createWebhookDispatcher({ store: h.deps.store, clock: h.deps.clock, box: h.deps.box, send }, { random: () => 0.5 });
    await h.createUser('kim@example.com', 'correct horse battery');
    expect(await dispatcher.runOnce()).toBe(1);
    const [d] = (await h.api('GET', `/api/v1/webhooks/${id}/deliveries`)).json().data;
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status: null, last_error: 'target refused: host did not resolve to a public address' });
  });
});

describe('webhook API input', () => {
  it('answers invalid_request with paths for bad URLs, unknown events and oversized descriptions', async () => {
    h = await createHarness({ overrides: { webhooks: false } });
    const cases: Array<[unknown, string[]]> = [
      [{ url: 'not a url', events: ['user.created'] }, ['url']],
      [{ url: 'http://10.0.0.1/x', events: ['user.created'] }, ['url']],
      [{ url: 'https://hooks.example.com/x', events: ['user.sigend_in', 'user.created', 'nope.*'] }, ['events.0', 'events.2']],
      [{ url: 'https://hooks.example.com/x', events: ['User Signed In'] }, ['events.0']],
      [{ url: 'https://hooks.example.com/x', events: [] }, ['events']],
      [{ url: 'https://hooks.example.com/x', events: ['*'], description: 'x'.repeat(501) }, ['description']],
      [{ url: 'https://hooks.example.com/x', events: ['*'], extra: 1 }, ['extra']],
    ];
    for (const [body, paths] of cases) {
      const res = await h.api('POST', '/api/v1/webhooks', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const json = res.json();
      expect(json.error).toBe('invalid_request');
      expect(json.details.fields.map((f: { path: string }) => f.path).sort(), JSON.stringify(body)).toEqual(paths);
    }
    expect((await h.api('GET', '/api/v1/webhooks')).json().data).toEqual([]);
  });

  it('requires the webhooks scopes', async () => {
    h = await createHarness({ overrides: { webhooks: false } });
    const token = await h.adminToken('users:read');
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden', details: { required_scopes: ['webhooks:read'] } });
    expect((await h.api('GET', '/api/v1/webhooks/whk_nope')).json()).toMatchObject({ error: 'not_found' });
  });
});
