import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cspFor } from '@portcullis/js';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { expectAccessible } from './support/axe.js';
import { USER } from './support/portcullis.js';
import { startStaticServer, type Route } from './support/static-server.js';
import { ensureReactApp, REACT_DIST } from './support/builds.js';
import { useBrowser, useStack } from './support/suite.js';

// Provider altcha (DESIGN §16) in @portcullis/react's <SignIn/>, on an app origin of its own: the
// widget script, its stylesheet and worker code come from Portcullis's /sdk/, the challenge from the
// tenant's issuer (CORS through the tenant's allowed origins), and the solve runs in a worker.
describeBrowser('proof of work (altcha) in the React <SignIn/>', () => {
  const browser = useBrowser();
  let appUrl = '';
  // The page's route is added by the test, once the server's origin (for the CSP) is known.
  const routes: Record<string, Route> = {};
  const stack = useStack(browser, async (_emulator, cleanup) => {
    await ensureReactApp();
    const site = await startStaticServer({ root: REACT_DIST, routes });
    cleanup(() => site.close());
    appUrl = site.url;
    return { allowedOrigins: [site.url], policy: { captcha: { provider: 'altcha', on_every_login: true } } };
  });

  it('solves the challenge in a worker, announces it, passes axe, and signs in, with no CSP violation', async () => {
    const { server } = stack;
    // The app's own CSP: what `cspFor('altcha')` names (worker-src blob:) plus the Portcullis origin.
    const csp = [
      "default-src 'none'", `script-src 'self' ${server.url}`, `style-src 'self' ${server.url}`, `connect-src 'self' ${server.url}`,
      `worker-src ${cspFor('altcha')['worker-src'].join(' ')}`, "img-src 'self' data:", "base-uri 'none'",
    ].join('; ');
    routes['/'] = { type: 'text/html; charset=utf-8', body: await readFile(join(REACT_DIST, 'index.html')), headers: { 'content-security-policy': csp } };
    const context = await humanContext(stack.browser);
    // Every CSP violation of the page, with the script that caused it. axe-core, which the test
    // itself injects (no source file), adds a <style> the app's CSP rightly refuses: not the app's.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as { __csp?: string[] }).__csp = seen;
      document.addEventListener('securitypolicyviolation', (e) => { if (e.sourceFile !== '') seen.push(`${e.violatedDirective} ${e.blockedURI} from ${e.sourceFile}:${e.lineNumber}`); });
    });
    const page = await context.newPage();
    const messages: string[] = [];
    page.on('console', (m) => { if (/Content.Security.Policy|Refused to|CORS/i.test(m.text())) messages.push(m.text()); });
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    const challenges: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/captcha/altcha/challenge')) challenges.push(r.url()); });

    await page.goto(`${appUrl}/?${new URLSearchParams({ baseUrl: server.url, tenant: server.tenant.slug })}`);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const widget = page.locator('form .portcullis-captcha-slot altcha-widget');
    await widget.waitFor({ timeout: 10_000 });
    expect(await page.getByRole('dialog').count(), 'inline in <SignIn/>, not in a dialog').toBe(0);
    // The person is told what is happening while the browser works (a polite live region).
    const status = page.locator('form .portcullis-captcha-status[role="status"][aria-live="polite"]');
    await status.filter({ hasText: /Checking|complete/ }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'altcha-react-sign-in');
    expect(messages, 'no CSP or CORS complaint while the widget loads and solves').toEqual([]);
    await expectAccessible(page, 'the React <SignIn/> with the proof-of-work widget');

    const signedIn = page.locator('[data-testid="signed-in"]');
    await signedIn.waitFor({ timeout: 20_000 });
    const [signed] = await server.audit('user.signed_in', 1);
    expect(await signedIn.textContent()).toBe(`Signed in as ${signed?.actor.id}`);
    expect(signed?.context['risk']).toMatchObject({ action: 'challenge', reasons: [{ code: 'tenant.captcha_always' }] });
    const [passed] = await server.audit('captcha.passed', 1);
    expect(passed?.data).toMatchObject({ provider: 'altcha' });
    expect(workers.length, 'the proof of work ran in a worker').toBeGreaterThan(0);
    expect(challenges.length).toBeGreaterThan(0);
    expect(challenges.every((u) => u.startsWith(`${server.url}/tenants/${server.tenant.slug}/captcha/altcha/challenge`))).toBe(true);
    expect(await page.evaluate(() => (window as { __csp?: string[] }).__csp)).toEqual([]);
    await context.close();
  });
});
