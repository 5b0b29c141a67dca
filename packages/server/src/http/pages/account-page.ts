import { FAVICON_HREF } from './favicon.js';
import { LOGIN_STYLE } from './login-style.js';
import { escapeHtml } from './login-page.js';
import { ACCOUNT_SCRIPT } from './account-script.js';

export type AccountPage = 'verify-email' | 'reset-password';

const TITLES: Record<AccountPage, string> = { 'verify-email': 'Confirm your email', 'reset-password': 'Choose a new password' };

/**
 * The pages the mailed links open (DESIGN §19). The token stays in the page: nothing is spent by
 * opening the link (mail scanners fetch links), only by the person pressing the button, which
 * posts it to the API. The page drops it from the address bar at once, and sends no Referer.
 */
export function renderAccountPage(input: { page: AccountPage; nonce: string; tenant: string }): string {
  const tenant = escapeHtml(input.tenant);
  const config = JSON.stringify({ tenant: input.tenant, page: input.page }).replace(/</g, '\\u003c');
  const form = input.page === 'verify-email'
    ? `<p>Press the button to confirm this address for your ${tenant} account.</p>
  <form id="account-form" novalidate>
    <button id="submit" class="primary" type="submit">Confirm my email</button>
  </form>`
    : `<form id="account-form" novalidate>
    <label for="password">New password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required aria-describedby="password-hint">
    <p id="password-hint" class="hint">Use a long passphrase; common passwords are refused.</p>
    <label for="password-again">New password, again</label>
    <input id="password-again" name="password-again" type="password" autocomplete="new-password" required>
    <button id="submit" class="primary" type="submit">Set the new password</button>
  </form>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${TITLES[input.page]} · ${tenant}</title>
<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">
<style nonce="${input.nonce}">${LOGIN_STYLE}</style>
</head>
<body>
<main>
  <h1 id="heading" tabindex="-1">${TITLES[input.page]}</h1>
  ${form}
  <p id="status" role="status" aria-live="polite"></p>
  <p id="next" hidden><a id="sign-in-link" href="login">Sign in</a></p>
</main>
<script type="application/json" id="portcullis-config">${config}</script>
<script type="module" nonce="${input.nonce}">${ACCOUNT_SCRIPT}</script>
</body>
</html>
`;
}
