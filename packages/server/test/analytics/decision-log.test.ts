import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { HOSTNAME, SITE, mint, startEmulatorFor } from '../support/captcha.js';

const EMAIL = 'anita@example.com';
const PASSWORD = 'correct horse battery';
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const counts = (n: number) => ({ ip_failures: n, account_failures: n, lockout_account_ip: n, lockout_account: n, lockout_ip: n });
const noLocks = { account_ip_until: null, account_until: null, ip_until: null };

describe('the decision log follows each sign-in attempt to its end', () => {
  let h: Harness;
  let emu: RunningEmulator;
  let userId: string;
  beforeEach(async () => {
    h = await createHarness();
    userId = (await h.createUser(EMAIL, PASSWORD)).id;
    emu = await startEmulatorFor(h);
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
  });

  /** Three wrong passwords, then the right one is challenged, then solved: four attempts, the last one settled twice. */
  async function wrongThriceThenSolve() {
    for (let i = 0; i < 3; i++) {
      expect((await h.login({ email: EMAIL, password: 'wrong password' })).statusCode).toBe(401);
      h.clock.advance(1000);
    }
    expect((await h.login({ email: EMAIL, password: PASSWORD })).json().error).toBe('captcha_required');
    h.clock.advance(20_000);
    expect((await h.login({ email: EMAIL, password: PASSWORD, captcha: { provider: 'turnstile', token: mint(emu) } })).statusCode).toBe(200);
  }

  it('records wrong passwords, then one challenged attempt that moves from captcha_required to success', async () => {
    await wrongThriceThenSolve();
    const res = await h.api('GET', '/api/v1/risk/attempts');
    expect(res.statusCode).toBe(200);
    const { data, meta } = res.json();
    expect(meta).toEqual({ next_cursor: null, limit: 50 });
    expect(data.map((a: { outcome: string }) => a.outcome)).toEqual(['success', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials']);
    expect(data[0]).toEqual({
      id: expect.stringMatching(/^att_[0-9A-Z]{26}$/), kind: 'login', occurred_at: at(3), ip: '127.0.0.1', email: EMAIL, user_id: userId, visitor_id: 'vis_test',
      score: 40, action: 'challenge', monitor_only: false,
      reasons: [{ code: 'account.failures', points: 40, count: 3, limit: 3, window_s: 900 }],
      signals: { ip_categories: [], trusted_network: false, counts: counts(3), locks: noLocks, device_confidence: 1, device_factors: [], captcha_always: false },
      outcome: 'success',
      challenge: { kind: 'captcha', result: 'passed', provider_result: 'passed', latency_ms: expect.any(Number) },
    });
    expect(data[3]).toMatchObject({ occurred_at: at(0), score: 0, action: 'allow', reasons: [], signals: { counts: counts(0) }, challenge: null, user_id: userId });
    expect((await h.api('GET', `/api/v1/risk/attempts/${data[0].id}`)).json().data).toEqual(data[0]);
  });

  it('keeps an unanswered challenge as captcha_required, and a bad token as captcha_failed', async () => {
    await h.login({ email: 'bot@example.com', password: 'x', device: undefined });
    const bad = await h.login({ email: EMAIL, password: PASSWORD, device: undefined, captcha: { provider: 'turnstile', token: 'forged-token' } });
    expect(bad.json().error).toBe('captcha_invalid');
    await h.login({ email: EMAIL, password: PASSWORD, device: undefined });
    const rows = (await h.api('GET', '/api/v1/risk/attempts')).json().data;
    expect(rows.map((a: { email: string; outcome: string; visitor_id: string | null }) => [a.email, a.outcome, a.visitor_id])).toEqual([
      [EMAIL, 'captcha_required', null], [EMAIL, 'captcha_failed', null], ['bot@example.com', 'captcha_required', null],
    ]);
    // The provider refused the forged token: a verification, with no latency kept for failures.
    expect(rows[1].challenge).toEqual({ kind: 'captcha', result: 'failed', provider_result: 'failed', latency_ms: null });
    expect(rows[2].signals).toMatchObject({ device_confidence: 0, device_factors: ['device.missing'] });
    expect(rows[2].user_id).toBeNull();
  });

  it('does not link a solved token to a challenge older than the token lifetime, nor from another client', async () => {
    await h.login({ email: EMAIL, password: PASSWORD, device: undefined });
    h.clock.advance(301_000);
    await h.login({ email: EMAIL, password: PASSWORD, device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
    await h.login({ email: EMAIL, password: PASSWORD, device: undefined }, {}, '198.51.100.7');
    await h.login({ email: EMAIL, password: PASSWORD, device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } }, {}, '198.51.100.8');
    const rows = (await h.api('GET', '/api/v1/risk/attempts')).json().data;
    expect(rows.map((a: { ip: string; outcome: string }) => [a.ip, a.outcome])).toEqual([
      ['198.51.100.8', 'success'], ['198.51.100.7', 'captcha_required'], ['127.0.0.1', 'success'], ['127.0.0.1', 'captcha_required'],
    ]);
  });

  it('follows an attempt through a provider outage to the emailed code: captcha_required → email_otp_required → email_otp_passed', async () => {
    await h.setPolicy({ captcha: {
      provider: 'turnstile', site_key: SITE.sitekey, secret: SITE.secret, allowed_hostnames: [HOSTNAME], verify_url: `${emu.url}/turnstile/v0/siteverify`,
      timeout_ms: 300, outage_fallback: 'email_otp',
    } });
    emu.controls.setMode('http500');
    expect((await h.login({ email: EMAIL, password: PASSWORD, device: undefined })).json().error).toBe('captcha_required');
    const stepUp = await h.login({ email: EMAIL, password: PASSWORD, device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
    expect(stepUp.json().error).toBe('email_otp_required');
    const challengeId = stepUp.json().details.challenge_id;
    const waiting = (await h.api('GET', '/api/v1/risk/attempts')).json().data;
    expect(waiting.map((a: { outcome: string }) => a.outcome)).toEqual(['email_otp_required']);
    let code: string | undefined;
    for (let i = 0; i < 50 && !code; i++) {
      code = /sign-in code: (\d{6})/.exec((await h.deps.store.outbox.list(h.tenant.id, 5))[0]?.subject ?? '')?.[1];
      if (!code) await new Promise((r) => setTimeout(r, 20));
    }
    const complete = (c: string) => h.app.inject({ method: 'POST', url: '/api/v1/auth/login/email-otp', headers: { 'x-tenant': 'acme' }, payload: { challenge_id: challengeId, code: c } });
    expect((await complete(code === '000000' ? '111111' : '000000')).statusCode).toBe(403);
    expect((await h.api('GET', `/api/v1/risk/attempts/${waiting[0].id}`)).json().data.outcome).toBe('email_otp_failed');
    expect((await complete(code!)).statusCode).toBe(200);
    const [done] = (await h.api('GET', '/api/v1/risk/attempts')).json().data;
    expect(done).toMatchObject({ id: waiting[0].id, outcome: 'email_otp_passed', challenge: { kind: 'email_otp', result: 'passed', provider_result: 'unreachable' } });
  });

  it('filters by email, ip, action, reason and outcome, pages with a cursor, and refuses bad filters with field paths', async () => {
    await wrongThriceThenSolve();
    await h.login({ email: 'other@example.com', password: 'nope' }, {}, '203.0.113.9');
    const get = async (qs: string) => (await h.api('GET', `/api/v1/risk/attempts?${qs}`)).json();
    const outcomes = (body: { data: Array<{ outcome: string }> }) => body.data.map((a) => a.outcome);
    expect(outcomes(await get('email=ANITA@example.com'))).toHaveLength(4);
    expect((await get('ip=203.0.113.9')).data.map((a: { email: string }) => a.email)).toEqual(['other@example.com']);
    expect(outcomes(await get('action=challenge'))).toEqual(['success']);
    expect(outcomes(await get('reason=account.failures'))).toEqual(['success']);
    expect(outcomes(await get('outcome=invalid_credentials'))).toHaveLength(4);
    expect(outcomes(await get(`since=${encodeURIComponent(at(2))}&until=${encodeURIComponent(at(3))}`))).toEqual(['invalid_credentials']);

    const first = await get('limit=2');
    expect(first.data).toHaveLength(2);
    expect(first.meta.next_cursor).toEqual(expect.any(String));
    const second = await get(`limit=2&cursor=${first.meta.next_cursor}`);
    const third = await get(`limit=2&cursor=${second.meta.next_cursor}`);
    expect(third.meta.next_cursor).toBeNull();
    const ids = [...first.data, ...second.data, ...third.data].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(5);

    for (const [qs, path] of [['limit=201', 'limit'], ['reason=ip.nonsense', 'reason'], ['outcome=maybe', 'outcome'], ['ip=999.1.1.1', 'ip'],
      ['since=yesterday', 'since'], ['cursor=bm90LWEtY3Vyc29y', 'cursor'], ['action=allow&extra=1', 'extra']] as const) {
      const res = await h.api('GET', `/api/v1/risk/attempts?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      expect(res.json().details.fields.map((f: { path: string }) => f.path), qs).toContain(path);
    }
    expect((await h.api('GET', '/api/v1/risk/attempts/att_01JZZZZZZZZZZZZZZZZZZZZZZZ')).json().error).toBe('not_found');
  });

  it('answers only with risk:read, and only the tenant its own attempts', async () => {
    await h.login({ email: EMAIL, password: 'wrong password' });
    const token = await h.adminToken('users:read');
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/risk/attempts', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden', details: { required_scopes: ['risk:read'] } });
    expect(await h.deps.store.attempts.list('tnt_other', { limit: 10 })).toEqual([]);
  });
});
