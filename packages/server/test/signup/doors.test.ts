import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { HUMAN_DEVICE } from '../support/harness.js';
import { mint, startEmulatorFor } from '../support/captcha.js';
import { createSignupHarness, type SignupHarness } from './support.js';

describe('sign-up and reset doors behind the risk engine', () => {
  let h: SignupHarness;
  let emu: RunningEmulator;
  beforeAll(async () => {
    h = await createSignupHarness();
    await h.createUser('rita@example.com', 'the old passphrase');
    emu = await startEmulatorFor(h, { rules: { signup: { limit: 2 }, password_reset: { limit: 2, block_limit: 4 } } });
  });
  afterAll(async () => {
    await h.close();
    await emu.close();
  });
  const signup = (ip: string, extra: Record<string, unknown> = {}) =>
    h.post('/api/v1/auth/signup', { email: `p${Math.random().toString(36).slice(2)}@example.com`, password: 'lantern orchard seventeen', device: HUMAN_DEVICE, ...extra }, ip);

  it('asks for a captcha with action signup once an address passes its per-IP limit', async () => {
    expect((await signup('198.51.100.1')).statusCode).toBe(202);
    expect((await signup('198.51.100.1')).statusCode).toBe(202);
    const third = await signup('198.51.100.1');
    expect(third.statusCode).toBe(403);
    expect(third.json()).toMatchObject({ error: 'captcha_required', details: { provider: 'turnstile', action: 'signup' } });
    // Another address is not affected.
    expect((await signup('198.51.100.2')).statusCode).toBe(202);
    const solved = await signup('198.51.100.1', { captcha: { provider: 'turnstile', token: mint(emu, { action: 'signup' }) } });
    expect(solved.statusCode).toBe(202);
  });

  it('refuses a token solved for login on signup (action_mismatch)', async () => {
    const res = await signup('198.51.100.1', { captcha: { provider: 'turnstile', token: mint(emu, { action: 'login' }) } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { action: 'signup', reason: 'action_mismatch' } });
  });

  it('binds password reset to action password_reset and rate-limits an address past block_limit', async () => {
    const ip = '192.0.2.9';
    const reset = (extra: Record<string, unknown> = {}) => h.post('/api/v1/auth/password-reset', { email: 'rita@example.com', device: HUMAN_DEVICE, ...extra }, ip);
    expect((await reset()).statusCode).toBe(202);
    expect((await reset()).statusCode).toBe(202);
    expect((await reset()).json()).toMatchObject({ error: 'captcha_required', details: { action: 'password_reset' } });
    const wrongAction = await reset({ captcha: { provider: 'turnstile', token: mint(emu, { action: 'signup' }) } });
    expect(wrongAction.json()).toMatchObject({ error: 'captcha_invalid', details: { reason: 'action_mismatch' } });
    const limited = await reset({ captcha: { provider: 'turnstile', token: mint(emu, { action: 'password_reset' }) } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', details: { retry_after_s: 3600 } });
    expect(limited.headers['retry-after']).toBe('3600');
  });

  it('challenges a sign-up with no device data (a bot) before any account is made', async () => {
    const res = await h.post('/api/v1/auth/signup', { email: 'bot@example.com', password: 'lantern orchard seventeen', device: undefined }, '198.51.100.50');
    expect(res.json()).toMatchObject({ error: 'captcha_required', details: { action: 'signup' } });
    expect(await h.deps.store.users.byEmail(h.tenant.id, 'bot@example.com')).toBeUndefined();
  });

  it('writes decision-log rows for sign-ups and resets, each saying its door', async () => {
    await h.deps.attempts.flushed();
    const rows = (await h.api('GET', '/api/v1/risk/attempts?limit=200')).json().data as Array<{ kind: string; email: string; outcome: string; reasons: Array<{ code: string }> }>;
    const bot = rows.find((r) => r.email === 'bot@example.com');
    expect(bot).toMatchObject({ kind: 'signup', outcome: 'captcha_required', reasons: [expect.objectContaining({ code: 'device.low_confidence' })] });
    const kinds = new Set(rows.map((r) => r.kind));
    expect(kinds).toEqual(new Set(['signup', 'password_reset']));
    expect(rows.filter((r) => r.kind === 'password_reset').map((r) => r.outcome)).toContain('rate_limited');
  });
});
