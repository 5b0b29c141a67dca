import { FAVICON_HREF } from './favicon.js';
import { LOGIN_SCRIPT } from './login-script.js';
import { LOGIN_STYLE } from './login-style.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function accountLinks(links: LoginPageInput['links']): string {
  if (!links) return '';
  const prefix = escapeHtml(links.prefix);
  const back = links.returnTo ? `?return_to=${escapeHtml(encodeURIComponent(links.returnTo))}` : '';
  const signup = links.signup ? `<a id="signup-link" href="${prefix}/signup${back}">Create an account</a>` : '';
  return `<p id="account-links" class="links"><a id="forgot-link" href="${prefix}/forgot-password${back}">Forgot your password?</a>${signup}</p>`;
}

export interface LoginPageInput {
  nonce: string;
  tenant: string;
  /** JSON for the page script: tenant, provider script URLs, the return target. */
  config: Record<string, unknown>;
  /** The account pages beside this one: `prefix` keeps them on the tenant; sign-up only when it is open; `returnTo` an app's pending authorize request. */
  links?: { prefix: string; signup: boolean; returnTo?: string };
}

/**
 * The hosted sign-in page (DESIGN §13): a plain, accessible form driven by `@portcullis/js`, which
 * renders the captcha and asks for email codes by itself, and a signed-in view with the next
 * step. Only the nonce'd inline script and style run; the config travels as inert JSON.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const config = JSON.stringify(input.config).replace(/</g, '\\u003c');
  const tenant = escapeHtml(input.tenant);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ${tenant}</title>
<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">
<style nonce="${input.nonce}">${LOGIN_STYLE}</style>
</head>
<body>
<main>
  <h1 id="heading" tabindex="-1">Sign in to ${tenant}</h1>
  <form id="sign-in" novalidate>
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <div id="captcha" aria-live="polite"></div>
    <button id="submit" class="primary" type="submit">Sign in</button>
  </form>
  <section id="signed-in-view" aria-labelledby="heading" hidden>
    <p id="signed-in" data-testid="signed-in"></p>
    <div id="next-step"></div>
  </section>
  <p id="status" role="status" aria-live="polite"></p>
${accountLinks(input.links)}
</main>
<script type="application/json" id="portcullis-config">${config}</script>
<script type="module" nonce="${input.nonce}">${LOGIN_SCRIPT}</script>
</body>
</html>
`;
}
