import { FAVICON_HREF } from './favicon.js';
import { LOGIN_STYLE } from './login-style.js';
import { escapeHtml } from './login-page.js';
import { ACCOUNT_SCRIPT } from './account-script.js';

/** The hosted account pages (DESIGN §19): two a person opens from the sign-in page, two a mailed link opens. */
export type AccountPage = 'signup' | 'forgot-password' | 'verify-email' | 'reset-password';

export interface AccountPageInput {
  page: AccountPage;
  nonce: string;
  tenant: string;
  /** `''` or `/tenants/<slug>`: how this page was reached, so its links stay on the same tenant. */
  prefix: string;
  /** Provider script URLs (the tenant's `script_url`), for the captcha sign-up and reset may ask for. */
  scriptUrls: Record<string, string>;
  minLength: number;
  /** `/signup` on a tenant that has it off shows a page saying so, with no form. */
  signupOpen: boolean;
  /** An app's pending authorize request (checked by `authorizeReturn`): "back to sign-in" goes there, and a reset request carries it. */
  returnTo?: string;
  /** `verify-email` reached from an app's sign-in: the re-validated request, so the fresh session becomes the app's code. */
  authorize?: { request: string; completeUrl: string; client: string };
}

const TITLES: Record<AccountPage, string> = {
  'signup': 'Create your account', 'forgot-password': 'Reset your password',
  'verify-email': 'Confirm your email', 'reset-password': 'Choose a new password',
};

const passwordPair = (label: string, minLength: number) => `
    <label for="password">${label}</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="${minLength}" required aria-describedby="password-hint">
    <p id="password-hint" class="hint">At least ${minLength} characters. A long passphrase is best; common passwords are refused.</p>
    <label for="password-again">${label}, again</label>
    <input id="password-again" name="password-again" type="password" autocomplete="new-password" required>`;

const email = (autocomplete: string) => `
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="${autocomplete}" autocapitalize="none" spellcheck="false" required>`;

function formOf(input: AccountPageInput, tenant: string): string {
  const form = (fields: string, button: string) => `<form id="account-form" novalidate>${fields}
    <div id="captcha" aria-live="polite"></div>
    <button id="submit" class="primary" type="submit">${button}</button>
  </form>`;
  switch (input.page) {
    case 'signup': return form(email('email') + passwordPair('Password', input.minLength), 'Create account');
    case 'forgot-password': return `<p id="intro">Enter the email of your ${tenant} account and we will mail you a link to choose a new password.</p>
  ${form(email('username'), 'Send the link')}`;
    case 'verify-email': return `<p id="intro">Press the button to confirm this address for your ${tenant} account${input.authorize ? ` and continue to ${escapeHtml(input.authorize.client)}` : ''}.</p>
  ${form('', 'Confirm my email')}`;
    case 'reset-password': return form(passwordPair('New password', input.minLength), 'Set the new password');
  }
}

/**
 * The account pages, driven by `@portcullis/js` as the sign-in page is (captcha, wording). Mailed
 * links carry a token that stays in the page: nothing is spent by opening the link (mail scanners
 * fetch links), only by the person pressing the button; the page drops it from the address bar
 * at once, and sends no Referer.
 */
export function renderAccountPage(input: AccountPageInput): string {
  const tenant = escapeHtml(input.tenant);
  const login = input.returnTo ? escapeHtml(input.returnTo) : `${escapeHtml(input.prefix)}/login`;
  const closed = input.page === 'signup' && !input.signupOpen;
  const title = closed ? 'Sign-up is closed' : TITLES[input.page];
  const config = JSON.stringify({ tenant: input.tenant, page: input.page, scriptUrls: input.scriptUrls, returnTo: input.returnTo ?? null, ...(input.authorize ? { authorize: input.authorize } : {}) }).replace(/</g, '\\u003c');
  const body = closed
    ? `<p id="intro">New ${tenant} accounts are created by its administrators, not here. Ask yours for an account, or sign in if you have one.</p>
  <p><a class="primary" href="${login}">Sign in</a></p>`
    : `${formOf(input, tenant)}
  <section id="done-view" hidden><p id="done" data-testid="done"></p></section>
  <p id="status" role="status" aria-live="polite"></p>
  <p class="links"><a id="sign-in-link" href="${login}">${input.page === 'signup' ? 'Already have an account? Sign in' : 'Back to sign-in'}</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${tenant}</title>
<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">
<style nonce="${input.nonce}">${LOGIN_STYLE}</style>
</head>
<body>
<main>
  <h1 id="heading" tabindex="-1">${title}</h1>
  ${body}
</main>${closed ? '' : `
<script type="application/json" id="portcullis-config">${config}</script>
<script type="module" nonce="${input.nonce}">${ACCOUNT_SCRIPT}</script>`}
</body>
</html>
`;
}
