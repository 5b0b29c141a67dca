import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../packages/server/test/support/tcp-proxy.js';
import { describe, expect, it } from 'vitest';
import { startSmtpServer } from '../packages/server/test/support/smtp.js';
import { updateSettings } from '../packages/server/src/services/settings.js';
import { describeBrowser, headlessContext, humanContext, screenshot } from './support/browser.js';
import { expectAccessible } from './support/axe.js';
import { ensureReactApp, REACT_DIST } from './support/builds.js';
import { startStaticServer } from './support/static-server.js';
import { OPERATOR, openSpaPage, operatorContext, turnstileVia, USER, type RunningPortcullis } from './support/portcullis.js';
import { submitHostedForm, useBrowser, useStack } from './support/suite.js';

const openSignup = (server: RunningPortcullis, enabled = true) => updateSettings(server.deps, operatorContext(server), OPERATOR, { signup: { enabled } });

/** The first `<issuer>/<page>?token=…` link of the newest mail to `to`, quoted-printable undone. */
function linkIn(mails: { to: string[]; raw: string }[], to: string, page: string): string {
  const mail = mails.filter((m) => m.to.includes(to)).at(-1);
  const text = (mail?.raw ?? '').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const link = new RegExp(`https?://[^\\s"<>]+/${page}\\?token=[A-Za-z0-9_-]+`).exec(text)?.[0];
  if (!link) throw new Error(`no ${page} link in the mail to ${to}`);
  return link;
}

async function signInOnLogin(page: Page, url: string, email: string, password: string): Promise<string> {
  await page.goto(`${url}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#submit');
  const outcome = page.locator('[data-testid="signed-in"]:visible, #status[data-code]');
  await outcome.first().waitFor({ timeout: 10_000 });
  return (await page.locator('#status').getAttribute('data-code')) ?? 'signed_in';
}

// DESIGN §19 in a real Chromium: the hosted sign-up, forgot-password and reset pages, the mails
// over real SMTP, and an SPA that signs in through the hosted page with the SDK's redirect flow.
describeBrowser('hosted account pages in Chromium', () => {
  const browser = useBrowser();

  describe('sign-up → mail → verify, and forgot → mail → reset, over real SMTP', () => {
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    const stack = useStack(browser, async (emulator, cleanup) => {
      smtp = await startSmtpServer();
      cleanup(() => smtp.close());
      const port = await freePort();
      return { port, env: { PORTCULLIS_SMTP_URL: smtp.url, PORTCULLIS_PUBLIC_URL: `http://127.0.0.1:${port}` }, policy: { captcha: turnstileVia(emulator.url) } };
    });

    it('shows "sign-up is closed" while the tenant has it off, and /login offers no sign-up link', async () => {
      const context = await humanContext(stack.browser);
      const page = await context.newPage();
      await page.goto(`${stack.server.url}/signup`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign-up is closed');
      expect(await page.locator('form').count()).toBe(0);
      await expectAccessible(page, 'the closed sign-up page');
      await screenshot(page, 'hosted-signup-closed');
      await page.goto(`${stack.server.url}/login`);
      expect(await page.locator('#signup-link').count()).toBe(0);
      expect(await page.locator('#forgot-link').getAttribute('href')).toBe('/forgot-password');
      await context.close();
    });

    it('a person signs up from /login, reads the mail, follows the link, confirms and is signed in', async () => {
      const { server } = stack;
      await openSignup(server);
      const email = 'newcomer@example.com';
      const password = 'a fine long passphrase 42';
      const context = await humanContext(stack.browser);
      const page = await context.newPage();
      await page.goto(`${server.url}/login`);
      await screenshot(page, 'hosted-login-account-links');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL(`${server.url}/signup`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Create your account');
      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.fill('#password-again', 'a different one');
      await page.click('#submit');
      // A typo in the second field is caught before anything is sent, and focus goes to the field.
      await page.locator('#status[data-code="password_mismatch"]').waitFor({ timeout: 5_000 });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('password-again');
      await page.fill('#password-again', password);
      // Correcting the field takes its error away.
      expect(await page.locator('#status').textContent()).toBe('');
      expect(await page.locator('#password-again').getAttribute('aria-invalid')).toBeNull();
      await expectAccessible(page, 'the sign-up page');
      await screenshot(page, 'hosted-signup');
      await page.click('#submit');
      const done = page.locator('#done');
      await done.waitFor({ timeout: 10_000 });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('heading');
      expect(await done.textContent()).toContain(email);
      await expectAccessible(page, 'the sign-up page, sent');

      // Not verified yet: the right password is refused with email_not_verified.
      const other = await context.newPage();
      expect(await signInOnLogin(other, server.url, email, password)).toBe('email_not_verified');

      await smtp.waitFor(1);
      const link = linkIn(smtp.mails, email, 'verify-email');
      expect(link.startsWith(`${server.url}/tenants/acme/verify-email?token=`)).toBe(true);
      await page.goto(link);
      // The token left the address bar at once; nothing was spent by opening the link.
      expect(page.url()).toBe(`${server.url}/tenants/acme/verify-email`);
      expect(await server.audit('user.email_verified')).toEqual([]);
      await expectAccessible(page, 'the verify-email page');
      await screenshot(page, 'hosted-verify-email');
      await page.getByRole('button', { name: 'Confirm my email' }).click();
      await page.locator('[data-testid="signed-in"]').waitFor({ timeout: 10_000 });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your email is confirmed');
      const [verified] = await server.audit('user.email_verified');
      expect(verified?.outcome).toBe('success');
      // And the password works on /login now.
      expect(await signInOnLogin(other, server.url, email, password)).toBe('signed_in');
      await context.close();
    });

    it('forgot password → mail → reset page → the new password works and the old one does not', async () => {
      const { server } = stack;
      const before = smtp.mails.length;
      const context = await humanContext(stack.browser);
      const page = await context.newPage();
      await page.goto(`${server.url}/login`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL(`${server.url}/forgot-password`);
      await page.fill('#email', USER.email);
      await expectAccessible(page, 'the forgot-password page');
      await screenshot(page, 'hosted-forgot-password');
      await page.click('#submit');
      await page.locator('#done').waitFor({ timeout: 10_000 });
      expect(await page.locator('#done').textContent()).toBe(`If ${USER.email} has an account, we sent it a link to choose a new password. The link works for one hour.`);

      await smtp.waitFor(before + 1);
      const link = linkIn(smtp.mails, USER.email, 'reset-password');
      await page.goto(link);
      expect(page.url()).toBe(`${server.url}/tenants/acme/reset-password`);
      const fresh = 'a brand new passphrase 7';
      await page.fill('#password', 'short');
      await page.fill('#password-again', 'short');
      await page.click('#submit');
      // The server's rule, in words, with the field marked and focused.
      await page.locator('#status[data-code="invalid_request"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#status').textContent()).toBe('The password must be at least 10 characters.');
      expect(await page.locator('#password').getAttribute('aria-invalid')).toBe('true');
      await page.fill('#password', fresh);
      await page.fill('#password-again', fresh);
      expect(await page.locator('#status').textContent()).toBe('');
      await expectAccessible(page, 'the reset-password page');
      await screenshot(page, 'hosted-reset-password');
      await page.click('#submit');
      await page.locator('#done').waitFor({ timeout: 10_000 });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your password is changed');
      await expectAccessible(page, 'the reset-password page, done');

      // The link is single use: opening it again and pressing the button says so.
      await page.goto(link);
      await page.fill('#password', 'yet another passphrase 9');
      await page.fill('#password-again', 'yet another passphrase 9');
      await page.click('#submit');
      await page.locator('#status[data-code="token_invalid"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#submit').isDisabled()).toBe(true);

      expect(await signInOnLogin(page, server.url, USER.email, USER.password)).toBe('invalid_credentials');
      expect(await signInOnLogin(page, server.url, USER.email, fresh)).toBe('signed_in');
      await context.close();
    });
  });

  describe('the captcha on sign-up and reset, bound to the door', () => {
    const stack = useStack(browser, (emulator) => ({ policy: { captcha: turnstileVia(emulator.url) } }));

    for (const [path, action, fill] of [
      ['signup', 'signup', async (page: Page) => { await page.fill('#email', 'bot@example.com'); await page.fill('#password', 'a fine long passphrase 42'); await page.fill('#password-again', 'a fine long passphrase 42'); }],
      ['forgot-password', 'password_reset', async (page: Page) => { await page.fill('#email', USER.email); }],
    ] as const) {
      it(`/${path}: plain headless Chromium is asked to solve the widget (action ${action}) and gets through`, async () => {
        const { server, emulator } = stack;
        await openSignup(server);
        const context = await headlessContext(stack.browser);
        const page = await context.newPage();
        const asked: unknown[] = [];
        page.on('response', (res) => { if (res.status() === 403) void res.json().then((b: unknown) => asked.push(b)).catch(() => {}); });
        await page.goto(`${server.url}/${path}`);
        await fill(page);
        await page.click('#submit');
        const iframe = page.locator('#captcha iframe');
        const human = page.frameLocator('#captcha iframe').getByRole('checkbox', { name: 'I am human' });
        await human.waitFor({ state: 'visible', timeout: 10_000 });
        const src = new URL((await iframe.getAttribute('src'))!);
        expect(src.origin).toBe(emulator.url);
        expect(src.searchParams.get('action')).toBe(action);
        expect(asked).toEqual([expect.objectContaining({ error: 'captcha_required', details: expect.objectContaining({ provider: 'turnstile', action }) })]);
        expect(await page.locator('#status').textContent()).toBe('Complete the check to continue.');
        expect(await page.locator('#submit').isVisible()).toBe(false);
        // The widget's frame is the provider's (here the emulator's, whose label contrast axe faults): the page around it is ours.
        await expectAccessible(page, `/${path} with the captcha`, { exclude: ['#captcha iframe'] });
        await screenshot(page, `hosted-${path}-captcha`);
        await human.click();
        await page.locator('#done').waitFor({ timeout: 10_000 });
        expect(await page.locator('#captcha iframe').count(), 'the widget is removed').toBe(0);
        const [passed] = await server.audit('captcha.passed');
        expect(passed?.data).toMatchObject({ provider: 'turnstile' });
        await context.close();
      });
    }
  });

  describe('an SPA (e2e/react-app) signs in through the hosted page with signInWithRedirect / useRedirectCallback', () => {
    let site: Awaited<ReturnType<typeof startStaticServer>>;
    const stack = useStack(browser, async (emulator, cleanup) => {
      await ensureReactApp();
      const index = readFileSync(join(REACT_DIST, 'index.html'));
      site = await startStaticServer({ root: REACT_DIST, routes: { '/callback': { type: 'text/html; charset=utf-8', body: index } } });
      cleanup(() => site.close());
      const port = await freePort();
      return { port, allowedOrigins: [site.url], env: { PORTCULLIS_PUBLIC_URL: `http://127.0.0.1:${port}` }, policy: { captcha: turnstileVia(emulator.url) } };
    });

    it('leaves for /oauth2/authorize with PKCE, signs in on the hosted page, comes back with tokens that answer userinfo', async () => {
      const { server } = stack;
      const { context, page } = await openSpaPage(stack.browser, server, site.url, 'React SPA');
      const tokenCalls: string[] = [];
      page.on('request', (r) => { if (r.url().endsWith('/oauth2/token')) tokenCalls.push(r.postData() ?? ''); });
      await page.goto(`${site.url}/`);
      await page.getByRole('button', { name: 'Sign in with Portcullis' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${server.url}/tenants/acme/oauth2/authorize?`), { timeout: 10_000 });
      const authorize = new URL(page.url());
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${site.url}/callback`);
      await submitHostedForm(page);
      await page.waitForURL((u) => u.href.startsWith(`${site.url}/callback`), { timeout: 10_000 });
      const done = page.locator('[data-testid="redirect-done"]');
      await done.waitFor({ timeout: 10_000 });
      expect(await done.textContent()).toBe(`Signed in as ${USER.email}, back to /inbox`);
      await page.locator('[data-testid="userinfo"]', { hasText: USER.email }).waitFor({ timeout: 10_000 });
      // One exchange (React StrictMode runs the effect twice), with the verifier; the code left the address bar.
      expect(tokenCalls).toHaveLength(1);
      expect(new URLSearchParams(tokenCalls[0]).get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(page.url()).toBe(`${site.url}/callback`);
      await expectAccessible(page, 'the SPA callback');
      await screenshot(page, 'spa-redirect-callback');
      // A replayed callback URL finds no state in this tab and exchanges nothing.
      await page.goto(`${site.url}/callback?code=replayed&state=${authorize.searchParams.get('state')}&iss=${encodeURIComponent(`${server.url}/tenants/acme`)}`);
      await page.locator('[data-testid="callback-error"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-testid="callback-error"]').textContent()).toBe('state_mismatch');
      expect(tokenCalls).toHaveLength(1);
      await context.close();
    });

    it('the React <SignUp/> renders the captcha inline when asked (action signup) and ends on "check your email"', async () => {
      const { server, emulator } = stack;
      await openSignup(server);
      const context = await headlessContext(stack.browser);
      await context.addInitScript(`window.__PORTCULLIS__ = ${JSON.stringify({ baseUrl: server.url, tenant: 'acme', mode: 'signup', scriptUrls: { turnstile: `${emulator.url}/turnstile/v0/api.js` } })}`);
      const page = await context.newPage();
      await page.goto(`${site.url}/`);
      await page.getByLabel('Email').fill('react-person@example.com');
      await page.getByLabel('Password', { exact: true }).fill('a fine long passphrase 42');
      await page.getByLabel('Password, again').fill('a fine long passphrase 42');
      await page.getByRole('button', { name: 'Create account' }).click();
      const iframe = page.locator('.portcullis-captcha-slot iframe');
      await iframe.waitFor({ timeout: 10_000 });
      expect(new URL((await iframe.getAttribute('src'))!).searchParams.get('action')).toBe('signup');
      await expectAccessible(page, 'the React <SignUp/> with the captcha', { exclude: ['.portcullis-captcha-slot iframe'] });
      await screenshot(page, 'react-sign-up-captcha');
      await page.frameLocator('.portcullis-captcha-slot iframe').getByRole('checkbox', { name: 'I am human' }).click();
      const done = page.getByRole('status');
      await done.waitFor({ timeout: 10_000 });
      expect(await done.textContent()).toBe('Check your emailWe sent a message to react-person@example.com. Open the link in it to confirm your address.');
      const [passed] = await server.audit('captcha.passed');
      expect(passed?.data).toMatchObject({ provider: 'turnstile' });
      await context.close();
    });
  });
});
