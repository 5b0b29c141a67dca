import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { HOSTNAME, SITE, mint, startEmulatorFor } from '../support/captcha.js';

const NO_DEVICE = { device: undefined };

describe('captcha verification against the emulator over real HTTP', () => {
  let h: Harness;
  let emu: RunningEmulator;
  beforeEach(async () => {
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    emu = await startEmulatorFor(h);
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
  });
  const signIn = (captcha?: unknown, password = 'correct horse battery') =>
    h.login({ email: 'anita@example.com', password, ...NO_DEVICE, ...(captcha === undefined ? {} : { captcha }) });

  it('passes a fresh token for this site, action and hostname, then signs in', async () => {
    const res = await signIn({ provider: 'turnstile', token: mint(emu) });
    expect(res.statusCode).toBe(200);
    const [passed] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.passed', limit: 1 });
    expect(passed?.data).toMatchObject({ provider: 'turnstile', hostname: HOSTNAME });
    expect(emu.controls.siteverifyCalls('turnstile')).toBe(1);
  });

  it('refuses odd tokens locally, without calling the provider or hashing', async () => {
    const hashes = h.deps.hasher.verifications;
    for (const token of [42, '', 'x'.repeat(2049), null, { a: 1 }]) {
      const res = await signIn({ provider: 'turnstile', token });
      expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { provider: 'turnstile', site_key: SITE.sitekey, action: 'login', reason: 'invalid' } });
    }
    expect((await signIn({ provider: 'hcaptcha', token: mint(emu) })).json().details.reason).toBe('invalid');
    expect(emu.controls.siteverifyCalls()).toBe(0);
    expect(h.deps.hasher.verifications).toBe(hashes);
  });

  it('refuses a replayed token without a second provider call', async () => {
    const token = mint(emu);
    expect((await signIn({ provider: 'turnstile', token })).statusCode).toBe(200);
    const again = await signIn({ provider: 'turnstile', token });
    expect(again.json().details.reason).toBe('already_used');
    expect(emu.controls.siteverifyCalls()).toBe(1);
  });

  it('lets exactly one of two parallel requests spend one token', async () => {
    const token = mint(emu);
    const [a, b] = await Promise.all([signIn({ provider: 'turnstile', token }), signIn({ provider: 'turnstile', token })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 403]);
    expect([a, b].find((r) => r.statusCode === 403)!.json().details.reason).toBe('already_used');
  });

  it('refuses a token minted for another action, another hostname, or after it expired', async () => {
    expect((await signIn({ provider: 'turnstile', token: mint(emu, { action: 'signup' }) })).json().details.reason).toBe('action_mismatch');
    expect((await signIn({ provider: 'turnstile', token: mint(emu, { hostname: 'evil.example' }) })).json().details.reason).toBe('hostname_mismatch');
    const old = mint(emu);
    h.clock.advance(301_000);
    expect((await signIn({ provider: 'turnstile', token: old })).json().details.reason).toBe('expired');
  });

  it("refuses a token minted for another tenant's site key", async () => {
    emu.controls.registerSite({ provider: 'turnstile', sitekey: '0x4AAAAAAAotherTenant', secret: '0x4AAAAAAAotherSecret00000000000000' });
    const res = await signIn({ provider: 'turnstile', token: mint(emu, { sitekey: '0x4AAAAAAAotherTenant' }) });
    expect(res.json().details.reason).toBe('invalid');
  });

  it('never resets account counters when a captcha is solved', async () => {
    for (let i = 0; i < 3; i++) await signIn({ provider: 'turnstile', token: mint(emu) }, 'wrong password');
    await signIn({ provider: 'turnstile', token: mint(emu) });
    const next = await h.login({ email: 'anita@example.com', password: 'correct horse battery' });
    expect(next.json().error).toBe('captcha_required');
  });

  it('treats a secret the provider rejects as misconfiguration: audited and failed closed', async () => {
    await h.setPolicy({ captcha: { provider: 'turnstile', site_key: SITE.sitekey, secret: 'wrong-secret', verify_url: `${emu.url}/turnstile/v0/siteverify` } });
    const res = await signIn({ provider: 'turnstile', token: mint(emu) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'captcha_unavailable', details: { retry_after_s: 30 } });
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.misconfigured', limit: 1 });
    expect(event?.data).toMatchObject({ error_codes: ['invalid-input-secret'] });
  });
});
