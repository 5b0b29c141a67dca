import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignupHarness, mailsSettled, type SignupHarness } from '../signup/support.js';
import { authorizeUrl, createClient, REDIRECT, USER } from './support.js';

const configOf = (html: string) => JSON.parse(/<script type="application\/json" id="portcullis-config">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;
const hrefOf = (html: string, id: string) => new RegExp(`id="${id}" href="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
const resetLink = (text: string) => /https?:\/\/\S+\/reset-password\?token=\S+/.exec(text)?.[0];

// "Forgot your password?" during an app's sign-in keeps the app's authorize request: through the
// forgot page, the mailed link and the reset page, back to /oauth2/authorize. Never anywhere else.
describe('forgot password during an app\'s sign-in returns to the app\'s authorize request', () => {
  let h: SignupHarness;
  let authorize: string;
  beforeAll(async () => {
    h = await createSignupHarness({ signup: false });
    await h.createUser(USER.email, USER.password);
    const spa = await createClient(h, 'spa');
    authorize = authorizeUrl({ response_type: 'code', client_id: spa.client_id, redirect_uri: REDIRECT, scope: 'openid email', state: 'st-1', nonce: 'n-1', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGKSWrrWeZ', code_challenge_method: 'S256' });
  });
  afterAll(() => h.close());

  it('links "Forgot your password?" on the authorize page to forgot-password with the request as return_to', async () => {
    const page = await h.app.inject({ url: authorize });
    expect(page.statusCode).toBe(200);
    expect(hrefOf(page.body, 'forgot-link')).toBe(`/tenants/acme/forgot-password?return_to=${encodeURIComponent(authorize)}`);
    // The plain /login keeps its plain link.
    expect(hrefOf((await h.app.inject({ url: '/tenants/acme/login' })).body, 'forgot-link')).toBe('/tenants/acme/forgot-password');
  });

  it('keeps return_to on forgot-password and reset-password: "back to sign-in" goes to the authorize request', async () => {
    for (const page of ['forgot-password', 'reset-password']) {
      const res = await h.app.inject({ url: `/tenants/acme/${page}?return_to=${encodeURIComponent(authorize)}` });
      expect(hrefOf(res.body, 'sign-in-link')).toBe(authorize);
      expect(configOf(res.body).returnTo).toBe(authorize);
    }
  });

  it('mails a reset link that carries the request (under the issuer path), and none for a return_to that is not one', async () => {
    const atRoot = authorize.replace('/tenants/acme', '');
    const first = await h.post('/api/v1/auth/password-reset', { email: USER.email, return_to: atRoot });
    expect(first.statusCode).toBe(202);
    expect((await h.post('/api/v1/auth/password-reset', { email: USER.email, return_to: 'https://evil.example/oauth2/authorize?client_id=x' })).statusCode).toBe(202);
    await mailsSettled(h, 2);
    const [withReturn, without] = h.mailsTo(USER.email).map((m) => new URL(resetLink(m.text)!));
    expect(withReturn!.pathname).toBe('/tenants/acme/reset-password');
    expect(withReturn!.searchParams.get('return_to')).toBe(authorize);
    expect(without!.searchParams.has('return_to')).toBe(false);
    // The link the mail holds opens a reset page whose way back is the app's sign-in.
    const page = await h.app.inject({ url: `${withReturn!.pathname}${withReturn!.search}` });
    expect(hrefOf(page.body, 'sign-in-link')).toBe(authorize);
  });

  it('ignores an absolute, other-origin, backslashed, other-tenant or non-authorize return_to: no open redirect', async () => {
    const query = authorize.split('?')[1]!;
    const hostile = [
      `https://evil.example/oauth2/authorize?${query}`, `//evil.example/oauth2/authorize?${query}`, `/\\evil.example/oauth2/authorize?${query}`,
      `\\\\evil.example/oauth2/authorize?${query}`, `/tenants/other/oauth2/authorize?${query}`, '/login', '/oauth2/authorize', `/oauth2/authorize?${query}#x`,
      `/oauth2/authorize?${query}\n`, `javascript:alert(1)//oauth2/authorize?${query}`, `/oauth2/authorize/../../evil?${query}`,
    ];
    for (const value of hostile) {
      const res = await h.app.inject({ url: `/tenants/acme/forgot-password?return_to=${encodeURIComponent(value)}` });
      expect(res.statusCode, value).toBe(200);
      expect(hrefOf(res.body, 'sign-in-link'), value).toBe('/tenants/acme/login');
      expect(configOf(res.body).returnTo, value).toBeNull();
    }
  });

  it('answers an oversized return_to with invalid_request, on the page and on the API, never a 500', async () => {
    const huge = `/oauth2/authorize?${'a'.repeat(9000)}`;
    const page = await h.app.inject({ url: `/tenants/acme/forgot-password?return_to=${encodeURIComponent(huge)}` });
    expect(page.statusCode).toBe(400);
    expect(page.json().error).toBe('invalid_request');
    const api = await h.post('/api/v1/auth/password-reset', { email: USER.email, return_to: huge });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toMatchObject({ error: 'invalid_request', details: { fields: [expect.objectContaining({ path: 'return_to' })] } });
  });
});
