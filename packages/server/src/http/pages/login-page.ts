/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface LoginPageInput {
  nonce: string;
  tenant: string;
  /** JSON for the page script: tenant, provider script URLs, the return target. */
  config: Record<string, unknown>;
}

/**
 * The hosted sign-in page (DESIGN §13): a plain, accessible form driven by `@portcullis/js`, which
 * renders the captcha and asks for email codes by itself. Only the nonce'd inline script runs.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const config = JSON.stringify(input.config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ${escapeHtml(input.tenant)}</title>
<style nonce="${input.nonce}">
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f4f5f7; color: #1d1f23; }
  main { background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: min(26rem, 92vw); }
  h1 { font-size: 1.4rem; margin: 0 0 1.25rem; }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .6rem .7rem; border: 1px solid #8a9099; border-radius: 8px; font: inherit; }
  input:focus-visible, button:focus-visible { outline: 3px solid #2f6fde; outline-offset: 2px; }
  #sign-in button { margin-top: 1.25rem; width: 100%; padding: .7rem; border: 0; border-radius: 8px; background: #1f57c3; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  #sign-in button[aria-busy="true"] { opacity: .7; cursor: progress; }
  #captcha:not(:empty) { margin-top: 1rem; }
  #status { margin-top: 1rem; min-height: 1.5em; }
  #status.error { color: #a3151b; }
</style>
</head>
<body>
<main>
  <h1>Sign in to ${escapeHtml(input.tenant)}</h1>
  <form id="sign-in" novalidate>
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <div id="captcha" aria-live="polite"></div>
    <button id="submit" type="submit">Sign in</button>
  </form>
  <p id="status" role="status" aria-live="polite"></p>
</main>
<script type="application/json" id="portcullis-config">${config}</script>
<script type="module" nonce="${input.nonce}">
  import { AuthClient } from '/sdk/portcullis.js';
  const config = JSON.parse(document.getElementById('portcullis-config').textContent);
  const form = document.getElementById('sign-in');
  const status = document.getElementById('status');
  const button = document.getElementById('submit');
  const client = new AuthClient({ tenant: config.tenant, scriptUrls: config.scriptUrls, captchaContainer: document.getElementById('captcha') });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.className = '';
    status.removeAttribute('data-code');
    status.textContent = 'Signing in…';
    button.setAttribute('aria-busy', 'true');
    button.disabled = true;
    try {
      const session = await client.signIn({ email: form.email.value, password: form.password.value });
      form.hidden = true;
      // The live region itself carries the result, so screen readers announce it.
      status.setAttribute('data-testid', 'signed-in');
      status.textContent = 'Signed in as ' + form.email.value + ' (' + session.userId + ')';
      if (config.returnTo) {
        const link = document.createElement('a');
        link.href = config.returnTo;
        link.textContent = 'Continue to ' + new URL(config.returnTo).host;
        status.after(link);
      }
    } catch (error) {
      status.className = 'error';
      status.textContent = error && error.message ? error.message : 'Sign-in failed.';
      status.setAttribute('data-code', error && error.code ? error.code : 'unknown');
    } finally {
      button.removeAttribute('aria-busy');
      button.disabled = false;
    }
  });
</script>
</body>
</html>
`;
}
