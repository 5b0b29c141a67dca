import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { createHarness, type Harness } from '../support/harness.js';
import { createTenant } from '../../src/services/tenants.js';

const EMAIL = 'anita@example.com';
const PASSWORD = 'correct horse battery';

/** What the widget does: fetch a challenge, find the counter, send base64 JSON of challenge + solution. */
async function solve(h: Harness, slug = h.tenant.slug): Promise<string> {
  const res = await h.app.inject({ method: 'GET', url: `/tenants/${slug}/captcha/altcha/challenge` });
  expect(res.statusCode).toBe(200);
  const challenge = res.json<Challenge>();
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
}

const login = (h: Harness, token?: string) => h.login({
  email: EMAIL, password: PASSWORD, device: undefined, ...(token === undefined ? {} : { captcha: { provider: 'altcha', token } }),
});

describe('provider altcha (DESIGN §16)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    await h.createUser(EMAIL, PASSWORD);
    await h.setPolicy({ captcha: { provider: 'altcha', pow: { difficulty: 1000 } } });
  });
  afterEach(async () => { await h.close(); });

  it('asks for a proof of work naming the challenge URL under the issuer', async () => {
    const res = await login(h);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      error: 'captcha_required',
      details: { provider: 'altcha', site_key: null, action: 'login', challenge_url: '/tenants/acme/captcha/altcha/challenge' },
    });
    expect(res.json().details).not.toHaveProperty('fallback');
  });

  it('issues a challenge bound to tenant and login, expiring in 300 s, never cached', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/captcha/altcha/challenge', headers: { 'x-tenant': 'acme' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<Challenge>();
    expect(body.parameters.data).toEqual({ tenant: h.tenant.id, action: 'login', expires_at: Math.floor(h.clock.now() / 1000) + 300 });
    expect(body.parameters.algorithm).toBe('SHA-256');
    expect(body.signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs in with a solved challenge, and refuses the same payload again as already_used', async () => {
    const token = await solve(h);
    const ok = await login(h, token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data.state).toBe('success');
    const again = await login(h, token);
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ error: 'captcha_invalid', details: { provider: 'altcha', site_key: null, reason: 'already_used' } });
  });

  it('refuses an expired challenge', async () => {
    const token = await solve(h);
    h.clock.advance(300_001);
    const res = await login(h, token);
    expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { provider: 'altcha', reason: 'expired' } });
  });

  it('refuses a payload solved for another tenant', async () => {
    const other = await createTenant(h.deps, { slug: 'globex' });
    expect(other.tenant.id).not.toBe(h.tenant.id);
    const token = await solve(h, 'globex');
    const res = await login(h, token);
    expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { reason: 'invalid' } });
  });

  it('refuses a forged signature, a tampered binding, a wrong solution and junk, without claiming them', async () => {
    const token = await solve(h);
    const doc = JSON.parse(Buffer.from(token, 'base64').toString());
    const encode = (d: unknown) => Buffer.from(JSON.stringify(d)).toString('base64');
    const forged = encode({ ...doc, challenge: { ...doc.challenge, signature: '0'.repeat(64) } });
    const otherAction = encode({ ...doc, challenge: { ...doc.challenge, parameters: { ...doc.challenge.parameters, data: { ...doc.challenge.parameters.data, action: 'signup' } } } });
    const wrong = encode({ ...doc, solution: { ...doc.solution, derivedKey: 'ab'.repeat(32) } });
    for (const bad of [forged, otherAction, wrong, 'not base64 at all!', encode({ challenge: null, solution: null, test: true }), 'A'.repeat(2049)]) {
      const res = await login(h, bad);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { provider: 'altcha', reason: 'invalid' } });
    }
    // The real payload was never spent by the forgeries.
    expect((await login(h, token)).statusCode).toBe(200);
  });

  it('grows the work with the address score', async () => {
    const { powMaxNumber } = await import('../../src/domain/captcha/pow-work.js');
    expect([0, 25, 40, 50, 100, 250].map((s) => powMaxNumber(20_000, s))).toEqual([20_000, 40_000, 60_629, 80_000, 320_000, 320_000]);
  });
});

// The outage fallback across the whole fault matrix: outage.test.ts.

describe('a new tenant', () => {
  it('starts with provider altcha, so its first challenge is a proof of work, not a refusal', async () => {
    const h = await createHarness();
    try {
      const policy = (await h.api('GET', '/api/v1/risk/policy')).json().data;
      expect(policy.captcha).toMatchObject({ provider: 'altcha', site_key: null, secret_set: false, outage_fallback: 'deny', pow: { difficulty: 20_000 }, test_mode: false });
      await h.createUser(EMAIL, PASSWORD);
      const res = await login(h);
      expect(res.json()).toMatchObject({ error: 'captcha_required', details: { provider: 'altcha' } });
    } finally {
      await h.close();
    }
  });
});

describe('captcha.test_mode', () => {
  const TEST_PAYLOAD = Buffer.from(JSON.stringify({ challenge: null, solution: null, test: true })).toString('base64');

  it("passes the widget's published test answer, and only in test mode", async () => {
    const h = await createHarness();
    try {
      await h.createUser(EMAIL, PASSWORD);
      await h.setPolicy({ captcha: { provider: 'altcha', on_every_login: true } });
      expect((await login(h, TEST_PAYLOAD)).json()).toMatchObject({ error: 'captcha_invalid', details: { reason: 'invalid' } });
      await h.setPolicy({ captcha: { provider: 'altcha', on_every_login: true, test_mode: true } });
      expect((await login(h, TEST_PAYLOAD)).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('is ignored under NODE_ENV=production and refused by the production guard', async () => {
    const { tenantProblems } = await import('../../src/services/tenant-guard.js');
    const h = await createHarness({ env: { NODE_ENV: 'production', PORTCULLIS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), PORTCULLIS_PUBLIC_URL: 'https://id.example' } });
    try {
      await h.createUser(EMAIL, PASSWORD);
      await h.setPolicy({ captcha: { provider: 'altcha', on_every_login: true, test_mode: true } });
      expect(await tenantProblems(h.deps.store, h.deps.box)).toEqual(['tenant acme: captcha test_mode is on (published always-pass test keys)']);
      const res = await login(h, TEST_PAYLOAD);
      expect(res.json()).toMatchObject({ error: 'captcha_invalid', details: { reason: 'invalid' } });
      // With a public URL the challenge URL is absolute, under the tenant's issuer.
      expect((await login(h)).json().details.challenge_url).toBe('https://id.example/tenants/acme/captcha/altcha/challenge');
    } finally {
      await h.close();
    }
  });
});
