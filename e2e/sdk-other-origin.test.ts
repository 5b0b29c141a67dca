import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { turnstileVia, USER } from './support/portcullis.js';
import { startStaticServer, type Route } from './support/static-server.js';
import { ensureReactApp, REACT_DIST, SDK_BUNDLE } from './support/builds.js';
import { useBrowser, useStack } from './support/suite.js';

// An app page on its own origin whose CSP allows the emulator's script but forgets its origin
// in frame-src: the most common way a real integration breaks (the widget script loads, its
// iframe never appears). The SDK must say exactly what to add.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CSP without the captcha frame</title>
<link rel="stylesheet" href="/app.css"></head>
<body><main>
<h1>An app whose CSP forgot the captcha frame</h1>
<p id="policy"></p>
<form id="sign-in">
<label>Email <input id="email" type="email" autocomplete="username"></label>
<label>Password <input id="password" type="password" autocomplete="current-password"></label>
<div id="captcha"></div>
<button id="submit" type="submit">Sign in</button>
</form>
<p id="status" role="status"></p>
</main><script type="module" src="/app.js"></script></body></html>`;

const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1d1f23}main{max-width:44rem}
#policy{font:13px ui-monospace,monospace;background:#f4f5f7;padding:.5rem;word-break:break-all}
#status{margin-top:1rem;padding:.75rem;border-radius:8px}#status[data-code]{background:#fdecea;color:#a3151b;border:1px solid #a3151b}
#status code{font-weight:700}label{display:block;margin:.5rem 0}`;

// Reads its settings from the query string: the server and emulator origins are known only at run time.
const APP = `import { AuthClient } from '/sdk/portcullis.js';
const q = new URLSearchParams(location.search);
const client = new AuthClient({ baseUrl: q.get('baseUrl'), tenant: q.get('tenant'), scriptUrls: { turnstile: q.get('script') },
  captchaContainer: document.getElementById('captcha'), renderTimeoutMs: 5000 });
const status = document.getElementById('status');
document.getElementById('policy').textContent = 'Content-Security-Policy: ' + q.get('csp');
const form = document.getElementById('sign-in');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  status.textContent = 'Signing in…';
  try {
    const session = await client.signIn({ email: form.email.value, password: form.password.value });
    status.textContent = 'Signed in as ' + session.userId;
  } catch (error) {
    status.dataset.code = error.code;
    status.dataset.details = JSON.stringify(error.details ?? null);
    status.replaceChildren(Object.assign(document.createElement('code'), { textContent: error.code }), ': ' + error.message);
  }
});`;

// The SDK on pages of other origins than Portcullis (CORS through the tenant's allowed origins),
// each served by a tiny static server of the test.
describeBrowser('@portcullis/js on another origin in Chromium', () => {
  const browser = useBrowser();

  describe('a page whose CSP omits the emulator origin in frame-src', () => {
    // The page's route is added by the test, once the server's origin (for connect-src) is known.
    const routes: Record<string, Route> = {};
    let siteUrl = '';
    const stack = useStack(browser, async (emulator, cleanup) => {
      const site = await startStaticServer({ routes });
      cleanup(() => site.close());
      siteUrl = site.url;
      routes['/sdk/portcullis.js'] = { type: 'text/javascript; charset=utf-8', body: await readFile(SDK_BUNDLE) };
      routes['/app.js'] = { type: 'text/javascript; charset=utf-8', body: APP };
      routes['/app.css'] = { type: 'text/css; charset=utf-8', body: CSS };
      return {
        allowedOrigins: [site.url],
        policy: { captcha: turnstileVia(emulator.url, { on_every_login: true }) },
      };
    });

    /** Serves the page under `csp`, signs in, and returns the error the page rendered. */
    async function signInUnder(csp: string, shot?: string) {
      const { server, emulator } = stack;
      routes['/'] = { type: 'text/html; charset=utf-8', body: PAGE, headers: { 'content-security-policy': csp } };
      const context = await humanContext(stack.browser);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
      const query = new URLSearchParams({ baseUrl: server.url, tenant: server.tenant.slug, script: `${emulator.url}/turnstile/v0/api.js`, csp });
      await page.goto(`${siteUrl}/?${query}`);
      await page.fill('#email', USER.email);
      await page.fill('#password', USER.password);
      await page.click('#submit');
      const status = page.locator('#status[data-code]');
      await status.waitFor({ timeout: 10_000 });
      if (shot) await screenshot(page, shot);
      const shown = { code: await status.getAttribute('data-code'), text: await status.textContent(), details: JSON.parse((await status.getAttribute('data-details'))!) as unknown };
      expect(await page.locator('#captcha iframe').count(), 'the blocked widget was cleaned up').toBe(0);
      await context.close();
      return { ...shown, violations: violations.join('\n') };
    }

    it('rejects signIn with captcha_blocked naming frame-src and the emulator origin', async () => {
      const { server, emulator } = stack;
      // connect-src names Portcullis (another origin), script-src the emulator; frame-src does not.
      const shown = await signInUnder(
        `default-src 'none'; script-src 'self' ${emulator.url}; style-src 'self'; connect-src 'self' ${server.url}; frame-src 'self'; img-src 'self'`,
        'csp-blocked',
      );
      expect(shown.code).toBe('captcha_blocked');
      expect(shown.text).toBe(`captcha_blocked: Content-Security-Policy blocks the captcha: add ${emulator.url} to frame-src`);
      expect(shown.details).toEqual({ provider: 'turnstile', directive: 'frame-src', origin: emulator.url });
      expect(shown.violations, 'the browser itself reported the frame-src block').toMatch(/frame-src/);
      // The request did reach Portcullis through CORS (it demanded the captcha); no session was made.
      expect(await server.audit('captcha.required')).toHaveLength(1);
      expect(await server.audit('user.signed_in')).toEqual([]);
    });

    it('names script-src when the page does not allow the widget script', async () => {
      const { server, emulator } = stack;
      const shown = await signInUnder(`default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${server.url}; frame-src 'self' ${emulator.url}`);
      expect(shown.code).toBe('captcha_blocked');
      expect(shown.text).toBe(`captcha_blocked: Content-Security-Policy blocks the captcha: add ${emulator.url} to script-src`);
      expect(shown.details).toEqual({ provider: 'turnstile', directive: 'script-src', origin: emulator.url });
      expect(await server.audit('user.signed_in')).toEqual([]);
    });
  });

  describe('the React <SignIn/> from e2e/react-app/dist, captcha on every login', () => {
    let appUrl = '';
    const stack = useStack(browser, async (emulator, cleanup) => {
      await ensureReactApp();
      const site = await startStaticServer({ root: REACT_DIST });
      cleanup(() => site.close());
      appUrl = site.url;
      return { allowedOrigins: [site.url], policy: { captcha: turnstileVia(emulator.url, { on_every_login: true }) } };
    });

    it('renders the widget inline in the form and signs in after "I am human"', async () => {
      const { server, emulator } = stack;
      const context = await humanContext(stack.browser);
      // The client options the app cannot take from its query string: the emulator as the provider script.
      await context.addInitScript((script) => { (window as { __PORTCULLIS__?: unknown }).__PORTCULLIS__ = { scriptUrls: { turnstile: script } }; },
        `${emulator.url}/turnstile/v0/api.js`);
      const page = await context.newPage();
      await page.goto(`${appUrl}/?${new URLSearchParams({ baseUrl: server.url, tenant: server.tenant.slug })}`);
      await page.getByLabel('Email').fill(USER.email);
      await page.getByLabel('Password').fill(USER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      const slot = page.locator('form .portcullis-captcha-slot');
      const human = page.frameLocator('form .portcullis-captcha-slot iframe').getByRole('checkbox', { name: 'I am human' });
      await human.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await slot.locator('iframe').count(), 'inline in <SignIn/>, not in a dialog').toBe(1);
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect(new URL((await slot.locator('iframe').getAttribute('src'))!).origin).toBe(emulator.url);
      await screenshot(page, 'react-sign-in');

      await human.click();
      const signedIn = page.locator('[data-testid="signed-in"]');
      await signedIn.waitFor({ timeout: 10_000 });
      const [signed] = await server.audit('user.signed_in');
      expect(await signedIn.textContent()).toBe(`Signed in as ${signed?.actor.id}`);
      expect(signed?.context['risk']).toMatchObject({ action: 'challenge', reasons: [{ code: 'tenant.captcha_always' }] });
      expect(await server.audit('captcha.passed')).toHaveLength(1);
      await context.close();
    });
  });
});
