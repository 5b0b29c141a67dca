import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, TURNSTILE_TEST_CAPTCHA, type Harness } from '../support/harness.js';

const OFFICE = '198.51.100.77';

describe('the deny threshold (DESIGN §7: challenge at 30, deny at 90)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
    // Two colleagues mistype behind one office NAT; five minutes later anita does, three times.
    for (const email of ['bo@example.com', 'cy@example.com']) await h.login({ email, password: 'typo' }, {}, OFFICE);
    h.clock.advance(300_000);
    for (let i = 0; i < 3; i++) expect((await h.login({ email: 'anita@example.com', password: `typo ${i}` }, {}, OFFICE)).statusCode).toBe(401);
    h.clock.advance(60_000);
  });
  afterAll(() => h.close());

  it('answers two medium signals (five failures from the address, no device data: 40 + 40) with a captcha, not a refusal', async () => {
    const res = await h.login({ email: 'dee@example.com', password: 'correct horse battery', device: undefined }, {}, OFFICE);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: 'captcha_required', message: 'Please complete the human verification.',
      details: { provider: 'turnstile', site_key: TURNSTILE_TEST_CAPTCHA.site_key, action: 'login' }, request_id: res.headers['x-request-id'],
    });
  });

  it('refuses a score that rests on counters with the seconds until they fall below the threshold', async () => {
    const before = h.deps.hasher.verifications;
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined }, {}, OFFICE);
    // 40 (address) + 40 (account) + 40 (no device) = 120 → 100; the address counter, started 6 min
    // ago in a 15 min window, resets first, in 540 s, and leaves 80 < 90.
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: 'sign_in_denied', message: 'This sign-in was refused.', details: { retry_after_s: 540 }, request_id: res.headers['x-request-id'],
    });
    expect(h.deps.hasher.verifications).toBe(before);
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in.failed', limit: 1 });
    expect(event?.data).toEqual({ error: 'sign_in_denied', email: 'anita@example.com' });
    expect((event?.context['risk'] as { score: number; reasons: Array<{ code: string }> })).toMatchObject({
      score: 100, action: 'deny', reasons: [{ code: 'ip.failures', count: 5 }, { code: 'account.failures', count: 3 }, { code: 'device.low_confidence' }],
    });
  });

  it('keeps its word: once the address counter has reset, the same attempt is challenged instead', async () => {
    h.clock.advance(539_000);
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined }, {}, OFFICE)).json())
      .toMatchObject({ error: 'sign_in_denied', details: { retry_after_s: 1 } });
    h.clock.advance(1_000);
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined }, {}, OFFICE)).json().error)
      .toBe('captcha_required');
  });
});
