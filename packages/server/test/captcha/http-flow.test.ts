import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { HOSTNAME, SITE, mint, startEmulatorFor } from '../support/captcha.js';

describe('a whole challenged sign-in over real HTTP', () => {
  let h: Harness;
  let emu: RunningEmulator;
  let base: string;
  beforeAll(async () => {
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    emu = await startEmulatorFor(h);
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await h.close();
    await emu.close();
  });

  it('answers captcha_required, accepts the solved token, issues tokens that work for refresh and logout', async () => {
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant': 'acme' }, body: JSON.stringify(body) });
    const first = await post('/api/v1/auth/login', { email: 'anita@example.com', password: 'correct horse battery' });
    expect(first.status).toBe(403);
    expect(first.headers.get('x-request-id')).toMatch(/^req_/);
    const challenge = await first.json() as { details: { provider: 'turnstile'; site_key: string; action: string } };
    expect(challenge.details).toEqual({ provider: 'turnstile', site_key: SITE.sitekey, action: 'login' });
    const token = mint(emu, { hostname: HOSTNAME });
    const second = await post('/api/v1/auth/login', { email: 'anita@example.com', password: 'correct horse battery', captcha: { provider: challenge.details.provider, token } });
    expect(second.status).toBe(200);
    const session = ((await second.json()) as { data: { refresh_token: string } }).data;
    const refreshed = await fetch(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': 'acme' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refresh_token }) });
    expect(refreshed.status).toBe(200);
    const out = await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { 'x-tenant': 'acme', authorization: `Bearer ${((await refreshed.json()) as { access_token: string }).access_token}` } });
    expect(out.status).toBe(204);
    expect(emu.controls.siteverifyCalls('turnstile')).toBe(1);
  });
});
