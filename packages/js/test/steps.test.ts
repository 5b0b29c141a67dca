import { describe, expect, it } from 'vitest';
import type { SignInStep } from '../src/index.js';
import { CHALLENGE, apiError, clientWith, fakeRenderer, scriptedFetch, signInOk } from './helpers.js';

const LOGIN = '/api/v1/auth/login';
const OTP = '/api/v1/auth/login/email-otp';
const creds = { email: 'anita@example.com', password: 'correct horse' };

describe('signIn onStep: what the page can tell the person', () => {
  it('says "captcha" once the widget waits for the person, then "verifying" when its token is posted', async () => {
    const { fetch } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', CHALLENGE), signInOk()] });
    const { renderer, log } = fakeRenderer();
    const steps: SignInStep[] = [];
    await clientWith({ fetch, captchaRenderer: renderer }).signIn(creds, { onStep: (s) => { steps.push(s); log.push(s.kind); } });
    expect(steps).toEqual([{ kind: 'captcha', provider: 'turnstile' }, { kind: 'verifying' }]);
    // "captcha" comes after the widget is open and before its token: the moment the person acts.
    expect(log).toEqual(['open', 'captcha', 'token1', 'verifying', 'close']);
  });

  it('says "email_code" before asking for the emailed code', async () => {
    const required = apiError(403, 'email_otp_required', { challenge_id: 'chl_1', channel: 'email', expires_in: 600, reason: 'captcha_unavailable' });
    const { fetch } = scriptedFetch({ [LOGIN]: [required], [OTP]: [signInOk()] });
    const order: string[] = [];
    await clientWith({ fetch, onEmailCode: async () => { order.push('ask'); return '123456'; } })
      .signIn(creds, { onStep: (s) => order.push(s.kind) });
    expect(order).toEqual(['email_code', 'ask']);
  });

  it('says nothing for a sign-in that needs no step, and a throwing listener does not break the sign-in', async () => {
    const { fetch } = scriptedFetch({ [LOGIN]: [signInOk(), apiError(403, 'captcha_required', CHALLENGE), signInOk(2)] });
    const client = clientWith({ fetch, captchaRenderer: fakeRenderer().renderer });
    const steps: SignInStep[] = [];
    await client.signIn(creds, { onStep: (s) => steps.push(s) });
    expect(steps).toEqual([]);
    const thrown: unknown[] = [];
    const onError = (e: unknown) => thrown.push(e);
    process.on('uncaughtException', onError);
    try {
      const session = await client.signIn(creds, { onStep: () => { throw new Error('page bug'); } });
      expect(session.accessToken).toBe('at2');
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(thrown).toHaveLength(2);
  });
});
