import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { CaptchaEmulator, Provider } from '../src/index.js';
import { HCAPTCHA, RECAPTCHA, TURNSTILE, buildHost, manualClock, verifyForm } from './helpers.js';

const clock = manualClock();
let app: FastifyInstance;
let emulator: CaptchaEmulator;

const SITES = {
  turnstile: { path: TURNSTILE, sitekey: '0x4AAAAAAAtenant', secret: '0x4AAAAAAAtenant-secret', expired: 'timeout-or-duplicate', spent: 'timeout-or-duplicate', other: 'invalid-input-response' },
  recaptcha: { path: RECAPTCHA, sitekey: '6Ltenant-v2', secret: '6Ltenant-v2-secret', expired: 'timeout-or-duplicate', spent: 'timeout-or-duplicate', other: 'invalid-input-response' },
  hcaptcha: { path: HCAPTCHA, sitekey: 'tenant-hc', secret: '0xtenant-hc-secret', expired: 'expired-input-response', spent: 'already-seen-response', other: 'sitekey-secret-mismatch' },
} as const;
const PROVIDERS = Object.keys(SITES) as Provider[];

beforeAll(async () => {
  ({ app, emulator } = await buildHost({
    now: clock.now,
    sites: PROVIDERS.map((provider) => ({ provider, sitekey: SITES[provider].sitekey, secret: SITES[provider].secret })),
  }));
  for (const provider of PROVIDERS) {
    emulator.controls.registerSite({ provider, sitekey: `${provider}-other-site`, secret: `${provider}-other-secret` });
  }
});
afterAll(async () => app.close());

const mint = (provider: Provider, sitekey: string = SITES[provider].sitekey): string =>
  emulator.controls.mintToken({ provider, sitekey, action: 'login', hostname: 'bank.example' });

describe.each(PROVIDERS)('%s as an emulated account', (provider) => {
  const site = SITES[provider];

  it('accepts a token minted for the registered sitekey exactly once', async () => {
    const response = mint(provider);
    const first = await verifyForm(app, site.path, { secret: site.secret, response, remoteip: '203.0.113.9' });
    expect(first).toMatchObject({ success: true, hostname: 'bank.example' });
    const second = await verifyForm(app, site.path, { secret: site.secret, response });
    expect(second).toEqual({ success: false, 'error-codes': [site.spent] });
  });

  it('rejects a token minted for another sitekey of another account', async () => {
    const answer = await verifyForm(app, site.path, { secret: site.secret, response: mint(provider, `${provider}-other-site`) });
    expect(answer).toEqual({ success: false, 'error-codes': [site.other] });
  });

  it('answers invalid-input-secret for a secret no account has', async () => {
    const answer = await verifyForm(app, site.path, { secret: 'nobody', response: mint(provider) });
    expect(answer).toEqual({ success: false, 'error-codes': ['invalid-input-secret'] });
  });

  it('answers missing-input-secret and missing-input-response', async () => {
    expect(await verifyForm(app, site.path, { response: mint(provider) })).toEqual({ success: false, 'error-codes': ['missing-input-secret'] });
    expect(await verifyForm(app, site.path, { secret: site.secret })).toEqual({ success: false, 'error-codes': ['missing-input-response'] });
  });

  it('rejects a forged or altered token', async () => {
    const token = mint(provider);
    const altered = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    for (const response of ['forged', altered]) {
      expect(await verifyForm(app, site.path, { secret: site.secret, response })).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
    }
  });

  it('expires a token 300 s after it was issued', async () => {
    const fresh = mint(provider);
    const stale = mint(provider);
    clock.advance(299_999);
    expect(await verifyForm(app, site.path, { secret: site.secret, response: fresh })).toMatchObject({ success: true });
    clock.advance(1);
    expect(await verifyForm(app, site.path, { secret: site.secret, response: stale })).toEqual({ success: false, 'error-codes': [site.expired] });
  });
});

describe('provider-specific answers', () => {
  it('Turnstile reports interaction and cdata from the widget', async () => {
    const response = emulator.controls.mintToken({ provider: 'turnstile', sitekey: SITES.turnstile.sitekey, action: 'login', cdata: 'sess-1', interactive: true, hostname: 'bank.example' });
    expect(await verifyForm(app, TURNSTILE, { secret: SITES.turnstile.secret, response })).toEqual({
      success: true, 'error-codes': [], challenge_ts: new Date(clock.now()).toISOString(), hostname: 'bank.example',
      action: 'login', cdata: 'sess-1', metadata: { interactive: true },
    });
  });

  it('Turnstile accepts JSON bodies and answers bad-request for a malformed one', async () => {
    const response = mint('turnstile');
    const ok = await app.inject({ method: 'POST', url: `/__captcha${TURNSTILE}`, payload: { secret: SITES.turnstile.secret, response } });
    expect(ok.json()).toMatchObject({ success: true });
    const bad = await app.inject({ method: 'POST', url: `/__captcha${TURNSTILE}`, headers: { 'content-type': 'application/json' }, payload: '{"secret":' });
    expect(bad.json()).toEqual({ success: false, 'error-codes': ['bad-request'] });
  });

  it('hCaptcha ignores JSON bodies (it reads form fields only)', async () => {
    const res = await app.inject({ method: 'POST', url: `/__captcha${HCAPTCHA}`, payload: { secret: SITES.hcaptcha.secret, response: mint('hcaptcha') } });
    expect(res.json()).toEqual({ success: false, 'error-codes': ['missing-input-secret', 'missing-input-response'] });
  });

  it('hCaptcha answers sitekey-secret-mismatch when the sitekey parameter is not the secret\'s', async () => {
    const answer = await verifyForm(app, HCAPTCHA, { secret: SITES.hcaptcha.secret, response: mint('hcaptcha'), sitekey: 'hcaptcha-other-site' });
    expect(answer).toEqual({ success: false, 'error-codes': ['sitekey-secret-mismatch'] });
  });

  it('reCAPTCHA v3 sites answer their registered score and the action', async () => {
    emulator.controls.registerSite({ provider: 'recaptcha', sitekey: '6Lv3', secret: '6Lv3-secret', score: 0.3 });
    const response = emulator.controls.mintToken({ provider: 'recaptcha', sitekey: '6Lv3', action: 'login', version: 'v3', hostname: 'bank.example' });
    expect(await verifyForm(app, RECAPTCHA, { secret: '6Lv3-secret', response })).toEqual({
      success: true, challenge_ts: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), hostname: 'bank.example', score: 0.3, action: 'login',
    });
  });
});

describe('Turnstile idempotency_key', () => {
  const key = '3b1c4b36-4b8a-4cc2-9d4e-4f1f2a7f0c11';

  it('repeats the first answer for the same key and token instead of timeout-or-duplicate', async () => {
    const response = mint('turnstile');
    const fields = { secret: SITES.turnstile.secret, response, idempotency_key: key };
    const first = await verifyForm(app, TURNSTILE, fields);
    expect(first).toMatchObject({ success: true });
    expect(await verifyForm(app, TURNSTILE, fields)).toEqual(first);
    expect(await verifyForm(app, TURNSTILE, { secret: SITES.turnstile.secret, response })).toEqual({ success: false, 'error-codes': ['timeout-or-duplicate'] });
    const otherKey = { ...fields, idempotency_key: '8f0e5d0e-1d0c-4bb3-a3a4-6c2f8d1e2b33' };
    expect(await verifyForm(app, TURNSTILE, otherKey)).toEqual({ success: false, 'error-codes': ['timeout-or-duplicate'] });
  });

  it('answers bad-request for a key that is not a UUID', async () => {
    const answer = await verifyForm(app, TURNSTILE, { secret: SITES.turnstile.secret, response: mint('turnstile'), idempotency_key: 'retry-1' });
    expect(answer).toEqual({ success: false, 'error-codes': ['bad-request'] });
  });
});
