import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutageMode, RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { mint, SITE, startEmulatorFor } from '../support/captcha.js';
import { solveAltcha } from '../support/altcha.js';

const TIMEOUT_MS = 400;
const FAULTS: OutageMode[] = ['refuse', 'hang', 'http500', 'http429', 'html', 'invalid_json', 'empty_object', 'success_string', 'internal_error'];

describe('captcha provider outages fail closed', () => {
  let h: Harness;
  let emu: RunningEmulator;
  beforeEach(async () => {
    h = await createHarness({ overrides: { breaker: { threshold: 100, openMs: 30_000 } } });
    await h.createUser('anita@example.com', 'correct horse battery');
    emu = await startEmulatorFor(h, { captcha: { timeout_ms: TIMEOUT_MS } });
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
  });

  for (const mode of FAULTS) {
    it(`answers ${mode} with captcha_unavailable in bounded time, audited, and no session`, async () => {
      emu.controls.setMode(mode);
      const started = performance.now();
      const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
      const elapsed = performance.now() - started;
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.json()).toMatchObject({ error: 'captcha_unavailable', details: { retry_after_s: 30 } });
      // timeout × (retries + 1), plus slack for the machine.
      expect(elapsed).toBeLessThan(TIMEOUT_MS * 2 + 1500);
      const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.provider_unreachable', limit: 1 });
      expect(event?.data).toMatchObject({ provider: 'turnstile' });
      expect(await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in', limit: 1 })).toHaveLength(0);
    });
  }

  it('retries internal-error exactly once and network errors once, and nothing else', async () => {
    emu.controls.setMode('internal_error');
    await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
    expect(emu.controls.siteverifyCalls()).toBe(2);
    emu.controls.setMode('http500');
    await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
    expect(emu.controls.siteverifyCalls()).toBe(3);
  });
});

describe('the circuit breaker', () => {
  it('stops calling a failing provider after five failures and probes once after 30 s', async () => {
    const h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    const emu = await startEmulatorFor(h, { captcha: { timeout_ms: TIMEOUT_MS } });
    const attempt = () => h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
    emu.controls.setMode('http500');
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(503);
    expect(emu.controls.siteverifyCalls()).toBe(5);
    expect((await attempt()).statusCode).toBe(503);
    expect(emu.controls.siteverifyCalls()).toBe(5);
    const [open] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.provider_unreachable', limit: 1 });
    expect(open?.data).toMatchObject({ error_class: 'circuit_open', circuit_open: true });
    emu.controls.setMode('ok');
    h.clock.advance(30_001);
    expect((await attempt()).statusCode).toBe(200);
    expect(emu.controls.siteverifyCalls()).toBe(6);
    await h.close();
    await emu.close();
  });
});

// DESIGN §16: a tenant that chose `outage_fallback: "pow"` never refuses for an outage; every mode
// of the fault matrix ends in a proof of work that Portcullis issues and verifies itself.
describe('captcha provider outages with outage_fallback pow', () => {
  let h: Harness;
  let emu: RunningEmulator;
  beforeEach(async () => {
    h = await createHarness({ overrides: { breaker: { threshold: 100, openMs: 30_000 } } });
    await h.createUser('anita@example.com', 'correct horse battery');
    emu = await startEmulatorFor(h, { captcha: { timeout_ms: TIMEOUT_MS, outage_fallback: 'pow', pow: { difficulty: 1000 } } });
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
  });
  const attempt = (captcha?: { provider: string; token: string }) => h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined, ...(captcha ? { captcha } : {}) });
  const FALLBACK = { error: 'captcha_required', details: { provider: 'altcha', site_key: null, action: 'login', fallback: true, challenge_url: '/tenants/acme/captcha/altcha/challenge' } };

  for (const mode of FAULTS) {
    it(`answers ${mode} with captcha_required naming altcha (fallback), audited, and the solved PoW signs in`, async () => {
      emu.controls.setMode(mode);
      const started = performance.now();
      const res = await attempt({ provider: 'turnstile', token: mint(emu) });
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS * 2 + 1500);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject(FALLBACK);
      const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.provider_unreachable', limit: 1 });
      expect(event?.data).toMatchObject({ provider: 'turnstile' });
      expect(await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in', limit: 1 })).toHaveLength(0);
      // The next attempt is told at once, without a Turnstile token, as the SDK's retry is.
      const calls = emu.controls.siteverifyCalls();
      expect((await attempt()).json()).toMatchObject(FALLBACK);
      const ok = await attempt({ provider: 'altcha', token: await solveAltcha(h, FALLBACK.details.challenge_url) });
      expect(ok.statusCode).toBe(200);
      expect(emu.controls.siteverifyCalls(), 'no call to the provider for the PoW').toBe(calls);
    });
  }

  it('asks for PoW without calling a provider whose breaker is open, and goes back to it once it recovers', async () => {
    await h.close();
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    await emu.close();
    emu = await startEmulatorFor(h, { captcha: { timeout_ms: TIMEOUT_MS, outage_fallback: 'pow', pow: { difficulty: 1000 } } });
    emu.controls.setMode('http500');
    for (let i = 0; i < 5; i++) expect((await attempt({ provider: 'turnstile', token: mint(emu) })).json()).toMatchObject(FALLBACK);
    expect(emu.controls.siteverifyCalls()).toBe(5);
    const open = await attempt({ provider: 'turnstile', token: mint(emu) });
    expect(open.json()).toMatchObject(FALLBACK);
    expect(emu.controls.siteverifyCalls(), 'the open breaker spares the provider').toBe(5);
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.provider_unreachable', limit: 1 });
    expect(event?.data).toMatchObject({ error_class: 'circuit_open', circuit_open: true });
    const pow = await solveAltcha(h, FALLBACK.details.challenge_url);

    emu.controls.setMode('ok');
    h.clock.advance(30_001);
    // Healthy again: Turnstile is asked for, and a PoW is no longer an answer.
    const asked = await attempt();
    expect(asked.json()).toMatchObject({ error: 'captcha_required', details: { provider: 'turnstile' } });
    expect(asked.json().details).not.toHaveProperty('fallback');
    expect((await attempt({ provider: 'altcha', token: pow })).json()).toMatchObject({ error: 'captcha_invalid', details: { provider: 'turnstile', reason: 'invalid' } });
    expect((await attempt({ provider: 'turnstile', token: mint(emu) })).statusCode).toBe(200);
  });

  it('does not stand PoW in for a misconfigured provider (a wrong secret): misconfiguration is not an outage', async () => {
    emu.controls.setMode('ok');
    await h.setPolicy({ captcha: { provider: 'turnstile', site_key: SITE.sitekey, secret: 'wrong-secret', verify_url: `${emu.url}/turnstile/v0/siteverify`, outage_fallback: 'pow' } });
    const res = await attempt({ provider: 'turnstile', token: mint(emu) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'captcha_unavailable' });
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.misconfigured', limit: 1 });
    expect(event?.data).toMatchObject({ error_codes: ['invalid-input-secret'] });
    // And the next attempt is not offered PoW either: the provider is not down, the configuration is wrong.
    expect((await attempt()).json()).toMatchObject({ error: 'captcha_required', details: { provider: 'turnstile' } });
  });
});
