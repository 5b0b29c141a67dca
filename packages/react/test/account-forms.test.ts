import { AuthClient, PortcullisClientError } from '@portcullis/js';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ForgotPassword, PortcullisProvider, ResetPassword, SignUp } from '../src/index.js';
import { ForgotPasswordForm, ResetPasswordForm, SignUpForm } from '../src/account-forms.js';
import { createAuthStore, type AuthClientLike } from '../src/auth-store.js';
import { aSession, deferred, FakeClient } from './sdk.js';

vi.mock('@portcullis/js', () => import('./sdk.js').then((m) => m.loadSdk()));

const asClient = (fake: FakeClient) => fake as unknown as AuthClient;
const idOf = (html: string, re: RegExp) => html.match(re)?.[1];
const attributes = (html: string, id: string) => {
  const tag = html.match(new RegExp(`<input[^>]*id="${id}"[^>]*>`))?.[0] ?? '';
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k!.toLowerCase(), v]));
};
const inProvider = (el: ReturnType<typeof h>, options?: object) =>
  renderToString(h(PortcullisProvider, options ? { options } : { client: asClient(new FakeClient()) }, el));

describe('<SignUp/>', () => {
  const html = inProvider(h(SignUp, { minLength: 12 }), { baseUrl: 'https://auth.example', tenant: 'demo' });

  it('labels email and both password fields, with the rule as a hint the password field points at', () => {
    const email = idOf(html, /<label for="([^"]+)">Email<\/label>/)!;
    const password = idOf(html, /<label for="([^"]+)">Password<\/label>/)!;
    const again = idOf(html, /<label for="([^"]+)">Password, again<\/label>/)!;
    expect(attributes(html, email)).toMatchObject({ name: 'email', type: 'email', autocomplete: 'email', required: '' });
    expect(attributes(html, password)).toMatchObject({ type: 'password', autocomplete: 'new-password', minlength: '12', 'aria-describedby': `${password}-hint` });
    expect(html).toContain(`<p id="${password}-hint" class="portcullis-hint">At least 12 characters.`);
    expect(attributes(html, again)).toMatchObject({ name: 'password-again', autocomplete: 'new-password' });
  });

  it('has the captcha slot (the provider built the client), an empty live region, and an idle button', () => {
    expect(html.indexOf('portcullis-captcha-slot')).toBeGreaterThan(html.indexOf('Password, again'));
    expect(html).toMatch(/<div id="[^"]+-error" class="portcullis-error" aria-live="polite" aria-atomic="true"><\/div>/);
    expect(html).toContain('<button type="submit">Create account</button>');
  });

  it('marks the field the server refused and says why', () => {
    const error = new PortcullisClientError('invalid_request', { status: 400, details: { fields: [{ path: 'password', message: 'is too common: it appears in lists of breached or frequently used passwords' }] } });
    const view = renderToString(h(SignUpForm, { busy: false, error }));
    const password = idOf(view, /<label for="([^"]+)">Password<\/label>/)!;
    const errorId = idOf(view, /<div id="([^"]+)" class="portcullis-error"/)!;
    expect(attributes(view, password)).toMatchObject({ 'aria-invalid': 'true', 'aria-describedby': `${password}-hint ${errorId}` });
    expect(view).toContain('>The password is too common: it appears in lists of breached or frequently used passwords.</div>');
  });

  it('says sign-up is closed, and shows busy without disabling the button', () => {
    expect(renderToString(h(SignUpForm, { busy: false, error: new PortcullisClientError('signup_disabled', { status: 403 }) })))
      .toContain('Sign-up is closed on this site.');
    expect(renderToString(h(SignUpForm, { busy: true, error: null }))).toContain('<button type="submit" aria-disabled="true">Creating account…</button>');
  });

  it('marks the second password field when the two differ', () => {
    const view = renderToString(h(SignUpForm, { busy: false, error: new PortcullisClientError('password_mismatch', { message: 'The two passwords differ.' }) }));
    const again = idOf(view, /<label for="([^"]+)">Password, again<\/label>/)!;
    expect(attributes(view, again)).toMatchObject({ 'aria-invalid': 'true' });
    expect(view).toContain('>The two passwords differ.</div>');
  });
});

describe('<ForgotPassword/> and <ResetPassword/>', () => {
  it('ForgotPassword: one labelled email field, captcha slot, button', () => {
    const html = inProvider(h(ForgotPassword), { tenant: 'demo' });
    const email = idOf(html, /<label for="([^"]+)">Email<\/label>/)!;
    expect(attributes(html, email)).toMatchObject({ type: 'email', autocomplete: 'username' });
    expect(html).toContain('portcullis-captcha-slot');
    expect(html).toContain('<button type="submit">Send the link</button>');
    expect(renderToString(h(ForgotPasswordForm, { busy: false, error: new PortcullisClientError('rate_limited', { details: { retry_after_s: 60 } }) })))
      .toContain('Too many attempts from this network. Try again in 1 minute.');
  });

  it('ResetPassword: two new-password fields and no captcha slot (the link is the proof)', () => {
    const html = inProvider(h(ResetPassword, { token: 'tok' }), { tenant: 'demo' });
    expect(html).toContain('>New password</label>');
    expect(html).toContain('>New password, again</label>');
    expect(html).not.toContain('portcullis-captcha-slot');
    expect(renderToString(h(ResetPasswordForm, { busy: false, error: new PortcullisClientError('token_invalid', { status: 400 }) })))
      .toContain('This link is used or expired. Ask for a new one.');
  });

  it('each needs the provider', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderToString(h(SignUp))).toThrow('<SignUp/> must be used inside <PortcullisProvider>.');
    err.mockRestore();
  });
});

describe('the store and the redirect flow', () => {
  const withRedirect = () => {
    const client = new FakeClient() as FakeClient & Record<string, unknown>;
    const exchange = deferred<{ session: ReturnType<typeof aSession> }>();
    const calls: unknown[] = [];
    client['signInWithRedirect'] = async (o: unknown) => void calls.push(['redirect', o]);
    client['handleRedirectCallback'] = (url: string) => {
      calls.push(['callback', url]);
      return exchange.promise.then((r) => { client.emit(r.session); return r; });
    };
    return { client, exchange, calls, store: createAuthStore(client as unknown as AuthClientLike) };
  };

  it('signInWithRedirect stays loading: the page is leaving', async () => {
    const { store, calls } = withRedirect();
    await store.signInWithRedirect({ clientId: 'app', redirectUri: 'https://app.example/cb' });
    expect(calls).toEqual([['redirect', { clientId: 'app', redirectUri: 'https://app.example/cb' }]]);
    expect(store.getState().loading).toBe(true);
  });

  it('handleRedirectCallback runs once per address (StrictMode calls twice) and leaves the session in the store', async () => {
    const { store, exchange, calls } = withRedirect();
    const url = 'https://app.example/cb?code=c&state=s&iss=x';
    const first = store.handleRedirectCallback(url);
    const second = store.handleRedirectCallback(url);
    expect(second).toBe(first);
    exchange.resolve({ session: aSession('usr_7') });
    await first;
    expect(calls).toEqual([['callback', url]]);
    expect(store.getState()).toMatchObject({ session: { userId: 'usr_7' }, loading: false, error: null });
  });
});
