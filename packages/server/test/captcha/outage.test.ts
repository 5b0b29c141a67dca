import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutageMode, RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { mint, startEmulatorFor } from '../support/captcha.js';

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
