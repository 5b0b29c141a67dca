import { describe, expect, it } from 'vitest';
import { createSiteverifyClient } from '../../src/adapters/captcha/siteverify-client.js';
import { fetchTransport } from '../../src/adapters/captcha/siteverify-transport.js';

const REQUEST = { provider: 'turnstile' as const, secret: 's', token: 't', remoteIp: '203.0.113.7', idempotencyKey: 'k', timeoutMs: 1000 };

describe('siteverify at a path on this server', () => {
  it('calls the address this process listens on now, not where it listened when the policy was written', async () => {
    const called: string[] = [];
    let listening = 'http://127.0.0.1:3000';
    const client = createSiteverifyClient(fetchTransport(async (url) => {
      called.push(String(url));
      return new Response('{"success":true}', { status: 200, headers: { 'content-type': 'application/json' } });
    }), () => listening);
    expect(await client.call({ ...REQUEST, url: '/__captcha/turnstile/v0/siteverify' })).toMatchObject({ kind: 'answer', body: { success: true } });
    listening = 'http://127.0.0.1:3001';
    await client.call({ ...REQUEST, url: '/__captcha/turnstile/v0/siteverify' });
    await client.call({ ...REQUEST, url: 'https://challenges.cloudflare.com/turnstile/v0/siteverify' });
    expect(called).toEqual([
      'http://127.0.0.1:3000/__captcha/turnstile/v0/siteverify',
      'http://127.0.0.1:3001/__captcha/turnstile/v0/siteverify',
      'https://challenges.cloudflare.com/turnstile/v0/siteverify',
    ]);
  });

  it('counts a path as unreachable while the process listens nowhere (never a pass)', async () => {
    // Like fetch itself: a URL without an origin cannot be called.
    const client = createSiteverifyClient(fetchTransport(async (url) => { new URL(String(url)); return new Response('{"success":true}'); }));
    expect(await client.call({ ...REQUEST, url: '/__captcha/turnstile/v0/siteverify' })).toMatchObject({ kind: 'unreachable', errorClass: 'network' });
  });
});
