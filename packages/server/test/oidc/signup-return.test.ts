import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignupHarness, mailsSettled, tokenIn, type SignupHarness } from '../signup/support.js';
import { authorizeUrl, complete, createClient, pkce, REDIRECT, token, USER } from './support.js';

const configOf = (html: string) => JSON.parse(/<script type="application\/json" id="portcullis-config">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, any>;
const hrefOf = (html: string, id: string) => new RegExp(`id="${id}" href="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
const verifyLink = (text: string) => /https?:\/\/\S+\/verify-email\?token=\S+/.exec(text)?.[0];
const NEW = { email: 'newcomer@example.com', password: 'a long and quite unusual passphrase' };

// "Create an account" during an app's sign-in keeps the app's authorize request: through the
// sign-up page, the verification mail and the verify page, which then finishes the request itself.
describe('sign-up during an app\'s sign-in returns to the app with a code', () => {
  let h: SignupHarness;
  let authorize: string;
  let verifier: string;
  beforeAll(async () => {
    h = await createSignupHarness();
    await h.createUser(USER.email, USER.password);
    const spa = await createClient(h, 'spa');
    const p = pkce();
    verifier = p.verifier;
    authorize = authorizeUrl({ response_type: 'code', client_id: spa.client_id, redirect_uri: REDIRECT, scope: 'openid email', state: 'st-1', nonce: 'n-1', code_challenge: p.challenge, code_challenge_method: 'S256' });
  });
  afterAll(() => h.close());

  it('links "Create an account" on the authorize page to signup with the request as return_to; the plain /login does not', async () => {
    const page = await h.app.inject({ url: authorize });
    expect(hrefOf(page.body, 'signup-link')).toBe(`/tenants/acme/signup?return_to=${encodeURIComponent(authorize)}`);
    expect(hrefOf((await h.app.inject({ url: '/tenants/acme/login' })).body, 'signup-link')).toBe('/tenants/acme/signup');
    const signup = await h.app.inject({ url: `/tenants/acme/signup?return_to=${encodeURIComponent(authorize)}` });
    expect(hrefOf(signup.body, 'sign-in-link')).toBe(authorize);
    expect(configOf(signup.body).returnTo).toBe(authorize);
  });

  it('mails a verification link carrying the request; the verify page finishes it into a code that exchanges', async () => {
    const atRoot = authorize.replace('/tenants/acme', '');
    expect((await h.post('/api/v1/auth/signup', { ...NEW, return_to: atRoot })).statusCode).toBe(202);
    await mailsSettled(h, 1);
    const link = new URL(verifyLink(h.mailsTo(NEW.email)[0]!.text)!);
    expect(link.pathname).toBe('/tenants/acme/verify-email');
    expect(link.searchParams.get('return_to')).toBe(authorize);
    const page = await h.app.inject({ url: `${link.pathname}${link.search}` });
    const config = configOf(page.body);
    expect(config.returnTo).toBe(authorize);
    expect(config.authorize).toMatchObject({ completeUrl: '/tenants/acme/oauth2/authorize/complete', client: 'spa app' });
    expect(page.body).toContain('for your acme account and continue to spa app.</p>');
    // What the page script does: verify (signed in), then post the request with the fresh token.
    const verified = await h.post('/api/v1/auth/verify-email', { token: link.searchParams.get('token')! });
    expect(verified.statusCode, verified.body).toBe(200);
    const done = await complete(h, config.authorize.request, verified.json().data.access_token);
    expect(done.statusCode, done.body).toBe(200);
    const back = new URL(done.json().redirect_to);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    const tokens = await token(h, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: new URL(authorize, 'http://x').searchParams.get('client_id')!, code_verifier: verifier });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().id_token).toEqual(expect.any(String));
  });

  it('drops a hostile return_to from the mail, and keeps the "email taken" mail free of it', async () => {
    const before = h.smtp.mails.length;
    expect((await h.post('/api/v1/auth/signup', { email: 'other@example.com', password: NEW.password, return_to: 'https://evil.example/oauth2/authorize?client_id=x' })).statusCode).toBe(202);
    expect((await h.post('/api/v1/auth/signup', { email: USER.email, password: NEW.password, return_to: authorize })).statusCode).toBe(202);
    await mailsSettled(h, before + 2);
    const plain = new URL(verifyLink(h.mailsTo('other@example.com')[0]!.text)!);
    expect(plain.searchParams.has('return_to')).toBe(false);
    expect(tokenIn(h.mailsTo('other@example.com')[0]!.text, 'verify-email')).toBeDefined();
    const taken = h.mailsTo(USER.email).at(-1)!.text;
    expect(taken).toMatch(/already has one/);
    expect(taken).not.toMatch(/return_to|oauth2|authorize|http/);
  });

  it('ignores an absolute, other-origin, backslashed, other-tenant or non-authorize return_to on signup and verify-email', async () => {
    const query = authorize.split('?')[1]!;
    const hostile = [
      `https://evil.example/oauth2/authorize?${query}`, `//evil.example/oauth2/authorize?${query}`, `/\\evil.example/oauth2/authorize?${query}`,
      `/tenants/other/oauth2/authorize?${query}`, '/login', `/oauth2/authorize?${query}#x`, `javascript:alert(1)//oauth2/authorize?${query}`,
    ];
    for (const value of hostile) {
      for (const page of ['signup', 'verify-email']) {
        const res = await h.app.inject({ url: `/tenants/acme/${page}?token=abc&return_to=${encodeURIComponent(value)}` });
        expect(res.statusCode, value).toBe(200);
        expect(hrefOf(res.body, 'sign-in-link'), value).toBe('/tenants/acme/login');
        expect(configOf(res.body).returnTo, value).toBeNull();
        expect(configOf(res.body).authorize, value).toBeUndefined();
      }
    }
  });

  it('gives the verify page no hand-off for a well-formed request that no longer holds (unknown client): only the link back', async () => {
    const stale = authorize.replace(/client_id=[^&]+/, 'client_id=app_gone');
    const res = await h.app.inject({ url: `/tenants/acme/verify-email?token=abc&return_to=${encodeURIComponent(stale)}` });
    expect(res.statusCode).toBe(200);
    expect(hrefOf(res.body, 'sign-in-link')).toBe(stale);
    expect(configOf(res.body).authorize).toBeUndefined();
  });

  it('answers an oversized return_to with invalid_request on the signup API, never a 500', async () => {
    const api = await h.post('/api/v1/auth/signup', { ...NEW, return_to: `/oauth2/authorize?${'a'.repeat(9000)}` });
    expect(api.statusCode).toBe(400);
    expect(api.json()).toMatchObject({ error: 'invalid_request', details: { fields: [expect.objectContaining({ path: 'return_to' })] } });
  });
});
