import { describe, expect, it, vi } from 'vitest';
import { PortcullisClientError } from '../src/index.js';
import { CHALLENGE, apiError, clientWith, fakeRenderer, scriptedFetch, signInOk } from './helpers.js';

const LOGIN = '/api/v1/auth/login';
const OTP = '/api/v1/auth/login/email-otp';
const creds = { email: 'anita@example.com', password: 'correct horse' };
const device = { visitor_id: 'vis_0123456789abcdef0123456789abcdef', signals: { webdriver: false, canvas: 'stable' as const } };

describe('signIn', () => {
  it('posts email, password and device with X-Tenant, and keeps the session in memory', async () => {
    const { fetch, seen } = scriptedFetch({ [LOGIN]: [signInOk()] });
    const changes: unknown[] = [];
    const client = clientWith({ fetch, collectDevice: true, collectDeviceData: async () => device, now: () => 1_000 });
    client.onChange((s) => changes.push(s));
    const session = await client.signIn(creds);
    expect(seen).toEqual([{ path: LOGIN, headers: expect.objectContaining({ 'x-tenant': 'banking', 'content-type': 'application/json' }), body: { ...creds, device } }]);
    expect(session).toEqual({ id: 'ses_1', userId: 'usr_1', accessToken: 'at1', expiresAt: 1_000 + 900_000 });
    expect(client.session).toBe(session);
    expect(changes).toEqual([session]);
  });

  it('signs in without device data when collection fails: the server scores it, the SDK does not refuse', async () => {
    const { fetch, seen } = scriptedFetch({ [LOGIN]: [signInOk()] });
    const client = clientWith({ fetch, collectDevice: true, collectDeviceData: () => Promise.reject(new Error('boom')) });
    await client.signIn(creds);
    expect(seen[0]?.body).toEqual(creds);
  });

  it('on captcha_required renders the widget with site key and action, then re-posts with its token', async () => {
    const { fetch, seen } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', CHALLENGE), signInOk()] });
    const { renderer, log, opened } = fakeRenderer();
    await clientWith({ fetch, captchaRenderer: renderer }).signIn(creds);
    expect(opened).toEqual([{ provider: 'turnstile', siteKey: '1x00000000000000000000AA', action: 'login' }]);
    expect(seen.map((s) => s.body)).toEqual([creds, { ...creds, captcha: { provider: 'turnstile', token: 'tok1' } }]);
    expect(log).toEqual(['open', 'token1', 'close']);
  });

  it('on captcha_invalid resets the widget and sends a fresh token', async () => {
    const invalid = apiError(403, 'captcha_invalid', { ...CHALLENGE, reason: 'expired' });
    const { fetch, seen } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', CHALLENGE), invalid, signInOk()] });
    const { renderer, log } = fakeRenderer();
    await clientWith({ fetch, captchaRenderer: renderer }).signIn(creds);
    expect(seen.map((s) => (s.body as { captcha?: { token: string } }).captcha?.token)).toEqual([undefined, 'tok1', 'tok2']);
    expect(log).toEqual(['open', 'token1', 'reset', 'token2', 'close']);
  });

  it('gives up after three refused tokens with the server error, and closes the widget', async () => {
    const invalid = () => apiError(403, 'captcha_invalid', { ...CHALLENGE, reason: 'invalid' });
    const { fetch, seen } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', CHALLENGE), invalid(), invalid(), invalid()] });
    const { renderer, log } = fakeRenderer();
    const error = await clientWith({ fetch, captchaRenderer: renderer }).signIn(creds).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortcullisClientError);
    expect(error).toMatchObject({ code: 'captcha_invalid', status: 403, recoverable: true, details: { reason: 'invalid' } });
    expect(seen).toHaveLength(4);
    expect(log.at(-1)).toBe('close');
  });

  it('passes the renderer rejection through (Escape in the dialog → captcha_cancelled)', async () => {
    const { fetch } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', CHALLENGE)] });
    const { renderer } = fakeRenderer({ failToken: new PortcullisClientError('captcha_cancelled') });
    await expect(clientWith({ fetch, captchaRenderer: renderer }).signIn(creds)).rejects.toMatchObject({ code: 'captcha_cancelled', recoverable: true });
  });

  it('on email_otp_required asks for the code and posts it with the challenge id only', async () => {
    const required = apiError(403, 'email_otp_required', { challenge_id: 'chl_1', channel: 'email', expires_in: 600, reason: 'captcha_unavailable' });
    const { fetch, seen } = scriptedFetch({ [LOGIN]: [required], [OTP]: [signInOk()] });
    const onEmailCode = vi.fn(async () => ' 123456 ');
    const session = await clientWith({ fetch, onEmailCode }).signIn(creds);
    expect(onEmailCode).toHaveBeenCalledWith({ challengeId: 'chl_1', expiresIn: 600, reason: 'captcha_unavailable' }, undefined);
    expect(seen[1]).toMatchObject({ path: OTP, body: { challenge_id: 'chl_1', code: '123456' } });
    expect(session.accessToken).toBe('at1');
  });

  it('asks again after otp_invalid with attempts left, and stops when none are left', async () => {
    const required = apiError(403, 'email_otp_required', { challenge_id: 'chl_1', channel: 'email', expires_in: 600, reason: 'captcha_unavailable' });
    const { fetch, seen } = scriptedFetch({
      [LOGIN]: [required],
      [OTP]: [apiError(403, 'otp_invalid', { attempts_left: 1 }), apiError(403, 'otp_invalid', { attempts_left: 0 })],
    });
    const codes = ['111111', '222222'];
    const queue = [...codes];
    const onEmailCode = vi.fn(async () => queue.shift()!);
    const error = await clientWith({ fetch, onEmailCode }).signIn(creds).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'otp_invalid', details: { attempts_left: 0 } });
    expect(onEmailCode).toHaveBeenCalledTimes(2);
    expect(onEmailCode.mock.calls[1]).toEqual([expect.objectContaining({ challengeId: 'chl_1' }), { attemptsLeft: 1 }]);
    expect(seen.filter((s) => s.path === OTP).map((s) => (s.body as { code: string }).code)).toEqual(codes);
  });

  it('closes the captcha widget before asking for an email code (the provider went down mid-way)', async () => {
    const required = apiError(403, 'email_otp_required', { challenge_id: 'chl_2', channel: 'email', expires_in: 600, reason: 'timeout' });
    const { fetch } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', CHALLENGE), required], [OTP]: [signInOk()] });
    const { renderer, log } = fakeRenderer();
    await clientWith({ fetch, captchaRenderer: renderer, onEmailCode: async () => { log.push('ask'); return '123456'; } }).signIn(creds);
    expect(log).toEqual(['open', 'token1', 'close', 'ask']);
  });
});

describe('errors', () => {
  it('are PortcullisClientError with code, server message, details and recoverable from the registry', async () => {
    const { fetch } = scriptedFetch({ [LOGIN]: [apiError(429, 'account_locked', { retry_after_s: 900 }), apiError(403, 'sign_in_denied')] });
    const client = clientWith({ fetch });
    const locked = await client.signIn(creds).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(PortcullisClientError);
    expect(locked).toMatchObject({ name: 'PortcullisClientError', code: 'account_locked', message: 'server says account_locked', status: 429, recoverable: true, details: { retry_after_s: 900 } });
    await expect(client.signIn(creds)).rejects.toMatchObject({ code: 'sign_in_denied', recoverable: false, status: 403 });
    expect(client.session).toBeNull();
  });

  it('a fetch that throws is network_error; a non-JSON error page is unexpected_response with its status', async () => {
    const { fetch } = scriptedFetch({ [LOGIN]: [new TypeError('Failed to fetch'), { status: 502, body: '<html>Bad gateway</html>' }] });
    const client = clientWith({ fetch });
    await expect(client.signIn(creds)).rejects.toMatchObject({ code: 'network_error', recoverable: true });
    await expect(client.signIn(creds)).rejects.toMatchObject({ code: 'unexpected_response', status: 502, recoverable: true });
  });

  it('a captcha_required without a usable provider is unexpected_response, not a widget for nothing', async () => {
    const { fetch } = scriptedFetch({ [LOGIN]: [apiError(403, 'captcha_required', { provider: 'acme', site_key: 'k' })] });
    const { renderer, log } = fakeRenderer();
    await expect(clientWith({ fetch, captchaRenderer: renderer }).signIn(creds)).rejects.toMatchObject({ code: 'unexpected_response' });
    expect(log).toEqual([]);
  });
});
