import { describe, expect, it } from 'vitest';
import { PortcullisClientError, describeError } from '../src/index.js';
import { CHALLENGE, apiError, clientWith, fakeRenderer, scriptedFetch, signInOk } from './helpers.js';

const SIGNUP = '/api/v1/auth/signup';
const RESET = '/api/v1/auth/password-reset';
const CONFIRM = '/api/v1/auth/password-reset/confirm';
const VERIFY = '/api/v1/auth/verify-email';
const creds = { email: 'new@example.com', password: 'a long passphrase' };
const accepted = (state: string) => ({ status: 202, body: { data: { state } } });

describe('signUp', () => {
  it('posts email, password and device with X-Tenant, and resolves on the 202', async () => {
    const device = { visitor_id: 'vis_0123456789abcdef0123456789abcdef', signals: { webdriver: false } };
    const { fetch, seen } = scriptedFetch({ [SIGNUP]: [accepted('verification_sent')] });
    await expect(clientWith({ fetch, collectDevice: true, collectDeviceData: async () => device }).signUp(creds)).resolves.toBeUndefined();
    expect(seen).toEqual([{ path: SIGNUP, headers: expect.objectContaining({ 'x-tenant': 'banking' }), body: { ...creds, device } }]);
  });

  it('sends returnTo as return_to (an app\'s pending sign-in for the mailed link), and nothing when there is none', async () => {
    const { fetch, seen } = scriptedFetch({ [SIGNUP]: [accepted('verification_sent'), accepted('verification_sent')] });
    const client = clientWith({ fetch });
    await client.signUp({ ...creds, returnTo: '/oauth2/authorize?client_id=app_1' });
    await client.signUp({ ...creds, returnTo: '' });
    expect(seen.map((s) => s.body)).toEqual([{ ...creds, return_to: '/oauth2/authorize?client_id=app_1' }, creds]);
  });

  it('renders the captcha bound to `signup` on captcha_required, re-posts with its token and tells the steps', async () => {
    const { fetch, seen } = scriptedFetch({ [SIGNUP]: [apiError(403, 'captcha_required', { ...CHALLENGE, action: 'signup' }), accepted('verification_sent')] });
    const { renderer, opened, log } = fakeRenderer();
    const steps: string[] = [];
    await clientWith({ fetch, captchaRenderer: renderer }).signUp(creds, { onStep: (s) => steps.push(s.kind) });
    expect(opened).toEqual([{ provider: 'turnstile', siteKey: CHALLENGE.site_key, action: 'signup' }]);
    expect(seen.map((s) => s.body)).toEqual([creds, { ...creds, captcha: { provider: 'turnstile', token: 'tok1' } }]);
    expect(steps).toEqual(['captcha', 'verifying']);
    expect(log).toEqual(['open', 'token1', 'close']);
  });

  it('binds the widget to the door when the server names no action', async () => {
    const { action: _omitted, ...noAction } = CHALLENGE;
    const { fetch } = scriptedFetch({ [SIGNUP]: [apiError(403, 'captcha_required', noAction), accepted('verification_sent')] });
    const { renderer, opened } = fakeRenderer();
    await clientWith({ fetch, captchaRenderer: renderer }).signUp(creds);
    expect(opened[0]?.action).toBe('signup');
  });

  it('does not take email_otp_required as a step here: it rejects with it', async () => {
    const { fetch } = scriptedFetch({ [SIGNUP]: [apiError(403, 'email_otp_required', { challenge_id: 'c', expires_in: 600 })] });
    let asked = false;
    const error = await clientWith({ fetch, onEmailCode: async () => { asked = true; return '1'; } }).signUp(creds).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'email_otp_required' });
    expect(asked).toBe(false);
  });

  it('rejects signup_disabled and a refused password with words a person can act on', async () => {
    const { fetch } = scriptedFetch({ [SIGNUP]: [apiError(403, 'signup_disabled'), apiError(400, 'invalid_request', { fields: [{ path: 'password', message: 'must be at least 10 characters' }] })] });
    const client = clientWith({ fetch });
    const closed = await client.signUp(creds).catch((e: unknown) => e) as PortcullisClientError;
    expect(closed.code).toBe('signup_disabled');
    expect(describeError(closed)).toBe('Sign-up is closed on this site. Ask its administrator for an account.');
    const weak = await client.signUp(creds).catch((e: unknown) => e) as PortcullisClientError;
    expect(describeError(weak)).toBe('The password must be at least 10 characters.');
  });

  it('refuses a 2xx that is not the sign-up answer', async () => {
    const { fetch } = scriptedFetch({ [SIGNUP]: [{ status: 200, body: { data: { state: 'success' } } }] });
    await expect(clientWith({ fetch }).signUp(creds)).rejects.toMatchObject({ code: 'unexpected_response' });
  });
});

describe('requestPasswordReset', () => {
  it('posts the email and renders the captcha bound to `password_reset` when asked', async () => {
    const { fetch, seen } = scriptedFetch({ [RESET]: [apiError(403, 'captcha_required', { ...CHALLENGE, action: 'password_reset' }), accepted('reset_requested')] });
    const { renderer, opened } = fakeRenderer();
    await clientWith({ fetch, captchaRenderer: renderer }).requestPasswordReset({ email: creds.email });
    expect(opened[0]?.action).toBe('password_reset');
    expect(seen.map((s) => s.body)).toEqual([{ email: creds.email }, { email: creds.email, captcha: { provider: 'turnstile', token: 'tok1' } }]);
  });

  it('passes rate_limited through with its wait', async () => {
    const { fetch } = scriptedFetch({ [RESET]: [apiError(429, 'rate_limited', { retry_after_s: 120 })] });
    await expect(clientWith({ fetch }).requestPasswordReset({ email: creds.email })).rejects.toMatchObject({ code: 'rate_limited', retryAfterS: 120 });
  });
});

describe('confirmPasswordReset and verifyEmail', () => {
  it('confirm posts token and password once: no captcha round, no device', async () => {
    const { fetch, seen } = scriptedFetch({ [CONFIRM]: [{ status: 200, body: { data: { state: 'password_reset' } } }] });
    await clientWith({ fetch, collectDevice: true, collectDeviceData: async () => { throw new Error('not asked'); } }).confirmPasswordReset({ token: 'tok_abc', password: 'new pass phrase' });
    expect(seen).toEqual([{ path: CONFIRM, headers: expect.anything(), body: { token: 'tok_abc', password: 'new pass phrase' } }]);
  });

  it('a spent link rejects token_invalid', async () => {
    const { fetch } = scriptedFetch({ [CONFIRM]: [apiError(400, 'token_invalid')] });
    const error = await clientWith({ fetch }).confirmPasswordReset({ token: 't', password: 'p' }).catch((e: unknown) => e) as PortcullisClientError;
    expect(error.code).toBe('token_invalid');
    expect(describeError(error)).toBe('This link is used or expired. Ask for a new one.');
  });

  it('verifyEmail signs the person in with the answer', async () => {
    const { fetch, seen } = scriptedFetch({ [VERIFY]: [signInOk(7)] });
    const client = clientWith({ fetch, now: () => 5_000 });
    const session = await client.verifyEmail({ token: 'tok_v' });
    expect(seen[0]?.body).toEqual({ token: 'tok_v' });
    expect(session).toEqual({ id: 'ses_1', userId: 'usr_1', accessToken: 'at7', expiresAt: 5_000 + 900_000 });
    expect(client.session).toBe(session);
  });
});
