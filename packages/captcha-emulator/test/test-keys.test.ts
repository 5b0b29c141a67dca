import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { CaptchaEmulator } from '../src/index.js';
import { HCAPTCHA, RECAPTCHA, TURNSTILE, buildHost, manualClock, verifyForm } from './helpers.js';

const clock = manualClock();
let app: FastifyInstance;
let emulator: CaptchaEmulator;

beforeAll(async () => {
  ({ app, emulator } = await buildHost({ now: clock.now }));
});
afterAll(async () => app.close());

const turnstileToken = (sitekey: string): string => emulator.controls.mintToken({
  provider: 'turnstile', sitekey, action: 'login', hostname: 'app.example', cdata: 'c1',
});

describe('Turnstile test secrets', () => {
  it('1x…AA passes any token and echoes the emulator token claims', async () => {
    const token = turnstileToken('1x00000000000000000000AA');
    const answer = await verifyForm(app, TURNSTILE, { secret: '1x0000000000000000000000000000000AA', response: token });
    expect(answer).toEqual({
      success: true, 'error-codes': [], challenge_ts: '2025-01-01T12:00:00.000Z', hostname: 'app.example',
      action: 'login', cdata: 'c1', metadata: { interactive: false },
    });
  });

  it('1x…AA accepts the documented dummy token, and keeps accepting it (no single use)', async () => {
    const fields = { secret: '1x0000000000000000000000000000000AA', response: 'XXXX.DUMMY.TOKEN.XXXX' };
    for (let i = 0; i < 2; i += 1) {
      const answer = await verifyForm(app, TURNSTILE, fields);
      expect(answer).toMatchObject({ success: true, 'error-codes': [], hostname: 'example.com' });
    }
  });

  it('2x…AA always fails with invalid-input-response', async () => {
    const answer = await verifyForm(app, TURNSTILE, { secret: '2x0000000000000000000000000000000AA', response: turnstileToken('1x00000000000000000000AA') });
    expect(answer).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
  });

  it('3x…AA always answers timeout-or-duplicate', async () => {
    const answer = await verifyForm(app, TURNSTILE, { secret: '3x0000000000000000000000000000000AA', response: 'XXXX.DUMMY.TOKEN.XXXX' });
    expect(answer).toEqual({ success: false, 'error-codes': ['timeout-or-duplicate'] });
  });

  it('a real secret rejects the dummy token and tokens of test sitekeys', async () => {
    emulator.controls.registerSite({ provider: 'turnstile', sitekey: '0x4AAAAAAAreal', secret: '0x4AAAAAAAsecret' });
    for (const response of ['XXXX.DUMMY.TOKEN.XXXX', turnstileToken('1x00000000000000000000AA')]) {
      const answer = await verifyForm(app, TURNSTILE, { secret: '0x4AAAAAAAsecret', response });
      expect(answer).toEqual({ success: false, 'error-codes': ['invalid-input-response'] });
    }
  });
});

describe('reCAPTCHA test keys', () => {
  const secret = '6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe';

  it('the test secret passes with Google\'s fixed hostname and no error-codes', async () => {
    const token = emulator.controls.mintToken({ provider: 'recaptcha', sitekey: '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI', hostname: 'app.example' });
    const answer = await verifyForm(app, RECAPTCHA, { secret, response: token });
    expect(answer).toEqual({ success: true, challenge_ts: '2025-01-01T12:00:00Z', hostname: 'testkey.google.com' });
  });

  it('a v3 token verified with the test secret carries score and action', async () => {
    const token = emulator.controls.mintToken({ provider: 'recaptcha', sitekey: 'any', action: 'login', version: 'v3' });
    const answer = await verifyForm(app, RECAPTCHA, { secret, response: token });
    expect(answer).toEqual({ success: true, challenge_ts: '2025-01-01T12:00:00Z', hostname: 'testkey.google.com', score: 0.9, action: 'login' });
  });

  it('reads secret and response from the query string too, as Google does', async () => {
    const res = await app.inject({ method: 'POST', url: `/__captcha${RECAPTCHA}?secret=${secret}&response=abc` });
    expect(res.json()).toMatchObject({ success: true });
  });
});

describe('hCaptcha test keys', () => {
  const secret = '0x0000000000000000000000000000000000000000';

  it.each([
    '10000000-aaaa-bbbb-cccc-000000000001', '20000000-aaaa-bbbb-cccc-000000000002', '30000000-aaaa-bbbb-cccc-000000000003',
  ])('the test secret passes the dummy token %s with hostname dummy-key-pass', async (response) => {
    const answer = await verifyForm(app, HCAPTCHA, { secret, response });
    expect(answer).toEqual({ success: true, challenge_ts: '2025-01-01T12:00:00Z', hostname: 'dummy-key-pass', credit: false });
  });

  it('a real secret answers not-using-dummy-passcode for a test sitekey\'s token', async () => {
    emulator.controls.registerSite({ provider: 'hcaptcha', sitekey: 'real-hc-site', secret: '0xrealsecret' });
    const token = emulator.controls.mintToken({ provider: 'hcaptcha', sitekey: '10000000-ffff-ffff-ffff-000000000001' });
    for (const response of [token, '10000000-aaaa-bbbb-cccc-000000000001']) {
      const answer = await verifyForm(app, HCAPTCHA, { secret: '0xrealsecret', response });
      expect(answer).toEqual({ success: false, 'error-codes': ['not-using-dummy-passcode'] });
    }
  });
});
