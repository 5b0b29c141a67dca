import { AuthClient, PortcullisClientError } from '@portcullis/js';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { PortcullisProvider, SignIn, useAuth } from '../src/index.js';
import { SignInForm } from '../src/sign-in.js';
import { aSession, FakeClient } from './sdk.js';

vi.mock('@portcullis/js', () => import('./sdk.js').then((m) => m.loadSdk()));

const asClient = (fake: FakeClient) => fake as unknown as AuthClient;
const form = (props: Parameters<typeof SignInForm>[0]) => renderToString(h(SignInForm, props));
/** The element whose id a `for` / `aria-describedby` names, as a string check on the markup. */
const idOf = (html: string, re: RegExp) => html.match(re)?.[1];
/** The attributes of the `<input>` with this id, names lower-cased as a browser reads them. */
const attributes = (html: string, id: string) => {
  const tag = html.match(new RegExp(`<input[^>]*id="${id}"[^>]*>`))?.[0] ?? '';
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k!.toLowerCase(), v]));
};

describe('<SignIn/> markup', () => {
  const html = renderToString(h(PortcullisProvider, { client: asClient(new FakeClient()) }, h(SignIn)));

  it('labels both fields and ties each label to its input', () => {
    const emailId = idOf(html, /<label for="([^"]+)">Email<\/label>/);
    const passwordId = idOf(html, /<label for="([^"]+)">Password<\/label>/);
    expect(emailId).toBeTruthy();
    expect(passwordId).toBeTruthy();
    expect(attributes(html, emailId!)).toMatchObject({ name: 'email', type: 'email', autocomplete: 'username', required: '' });
    expect(attributes(html, passwordId!)).toMatchObject({ name: 'password', type: 'password', autocomplete: 'current-password', required: '' });
  });

  it('has an empty polite live region from the first render and an idle submit button', () => {
    expect(html).toMatch(/<div id="[^"]+-error" class="portcullis-error" aria-live="polite" aria-atomic="true"><\/div>/);
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).toContain('aria-busy="false"');
  });

  it('renders no captcha slot when the app brought its own client', () => {
    expect(html).not.toContain('portcullis-captcha-slot');
  });

  it('renders the captcha slot under the password field when the provider built the client', () => {
    const own = renderToString(h(PortcullisProvider, { options: { baseUrl: 'https://auth.example', tenant: 'demo' } }, h(SignIn)));
    expect(own.indexOf('portcullis-captcha-slot')).toBeGreaterThan(own.indexOf('current-password'));
    expect(own.indexOf('portcullis-captcha-slot')).toBeLessThan(own.indexOf('portcullis-error'));
  });

  it('applies className', () => {
    expect(renderToString(h(PortcullisProvider, { client: asClient(new FakeClient()) }, h(SignIn, { className: 'login' }))))
      .toContain('<form class="login"');
  });
});

describe('<SignIn/> states', () => {
  it('marks the form busy and keeps the button focusable while signing in', () => {
    const html = form({ busy: true, error: null });
    expect(html).toContain('aria-busy="true"');
    expect(html).toContain('<button type="submit" aria-disabled="true">Signing in…</button>');
    expect(html).not.toMatch(/<button[^>]* disabled/);
  });

  it('shows the human message of the code and points the password field at it', () => {
    const html = form({ busy: false, error: new PortcullisClientError('invalid_credentials', { status: 401 }) });
    const errorId = idOf(html, /<div id="([^"]+)" class="portcullis-error"/);
    expect(html).toContain('>The email or password is incorrect.</div>');
    const passwordId = idOf(html, /<label for="([^"]+)">Password<\/label>/)!;
    expect(attributes(html, passwordId)).toMatchObject({ 'aria-invalid': 'true', 'aria-describedby': errorId });
  });

  it('shows captcha_blocked verbatim, so the developer sees the missing CSP entry', () => {
    const message = 'The Turnstile widget did not load. If the page sets a Content-Security-Policy, it must allow script-src https://challenges.cloudflare.com';
    const html = form({ busy: false, error: new PortcullisClientError('captcha_blocked', { message }) });
    expect(html).toContain(`aria-atomic="true">${message}</div>`);
  });

  it('says when to retry a lockout', () => {
    const html = form({ busy: false, error: new PortcullisClientError('account_locked', { details: { retry_after_s: 900 } }) });
    expect(html).toContain('Too many failed sign-ins for this account. Try again in 15 minutes.');
  });

  it('says when to retry a counters-based refusal (sign_in_denied with retry_after_s)', () => {
    const html = form({ busy: false, error: new PortcullisClientError('sign_in_denied', { status: 403, details: { retry_after_s: 720 } }) });
    expect(html).toContain('This sign-in was refused for now. Try again in 12 minutes.');
  });
});

describe('useAuth()', () => {
  const Probe = () => JSON.stringify((({ user, session, loading, error }) => ({ user, session: session?.id ?? null, loading, error }))(useAuth()));

  it('derives the user from the client session', () => {
    const client = new FakeClient();
    client.session = aSession('usr_42');
    expect(renderToString(h(PortcullisProvider, { client: asClient(client) }, h(Probe))))
      .toBe(JSON.stringify({ user: { id: 'usr_42' }, session: 'ses_1', loading: false, error: null }).replaceAll('"', '&quot;'));
  });

  it('is null-user when signed out', () => {
    expect(renderToString(h(PortcullisProvider, { client: asClient(new FakeClient()) }, h(Probe))))
      .toContain('{&quot;user&quot;:null,&quot;session&quot;:null');
  });

  it('throws a developer-facing error outside the provider', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderToString(h(Probe))).toThrow('useAuth() must be used inside <PortcullisProvider>.');
    err.mockRestore();
  });
});
