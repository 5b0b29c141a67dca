import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../packages/server/test/support/tcp-proxy.js';
import { describe, expect, it } from 'vitest';
import { startSmtpServer } from '../packages/server/test/support/smtp.js';
import { createUser } from '../packages/server/src/index.js';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { expectAccessible } from './support/axe.js';
import { ensureReactApp, REACT_DIST } from './support/builds.js';
import { startStaticServer } from './support/static-server.js';
import { OPERATOR, openSpaPage, operatorContext, turnstileVia, USER } from './support/portcullis.js';
import { useBrowser, useStack } from './support/suite.js';
import { updateSettings } from '../packages/server/src/services/settings.js';


/** The newest reset (or verification) link mailed to `to`, quoted-printable undone. */
function resetLinkIn(mails: { to: string[]; raw: string }[], to: string, page: 'reset-password' | 'verify-email' = 'reset-password'): URL {
  const mail = mails.filter((m) => m.to.includes(to)).at(-1);
  const text = (mail?.raw ?? '').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const link = new RegExp(`https?://[^\\s"<>]+/${page}\\?token=[^\\s"<>]+`).exec(text)?.[0];
  if (!link) throw new Error(`no ${page} link in the mail to ${to}`);
  return new URL(link);
}

// Password reset in a real Chromium with the mail over real SMTP: the hosted pages carrying an
// app's pending sign-in through the reset, and @portcullis/react's <ForgotPassword/> and
// <ResetPassword/> in a React app on its own origin.
describeBrowser('password reset, mailed over SMTP, in Chromium', () => {
  const browser = useBrowser();
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  const stack = useStack(browser, async (emulator, cleanup) => {
    await ensureReactApp();
    smtp = await startSmtpServer();
    cleanup(() => smtp.close());
    const index = readFileSync(join(REACT_DIST, 'index.html'));
    site = await startStaticServer({ root: REACT_DIST, routes: { '/callback': { type: 'text/html; charset=utf-8', body: index } } });
    cleanup(() => site.close());
    const port = await freePort();
    return {
      port, allowedOrigins: [site.url], policy: { captcha: turnstileVia(emulator.url) },
      env: { PORTCULLIS_SMTP_URL: smtp.url, PORTCULLIS_PUBLIC_URL: `http://127.0.0.1:${port}` },
    };
  });

  describe('the hosted pages', () => {
    it('"Forgot your password?" during an app\'s sign-in: mail → reset → "Continue to sign in" → the app gets its code', async () => {
      const { server } = stack;
      const { context, page } = await openSpaPage(stack.browser, server, site.url, 'React SPA');
      await page.goto(`${site.url}/`);
      await page.getByRole('button', { name: 'Sign in with Portcullis' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${server.url}/tenants/acme/oauth2/authorize?`), { timeout: 10_000 });
      const authorize = new URL(page.url());
      const before = smtp.mails.length;

      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL((u) => u.pathname === '/tenants/acme/forgot-password', { timeout: 10_000 });
      expect(new URL(page.url()).searchParams.get('return_to')).toBe(`${authorize.pathname}${authorize.search}`);
      expect(await page.getByRole('link', { name: 'Back to sign-in' }).getAttribute('href')).toBe(`${authorize.pathname}${authorize.search}`);
      await page.fill('#email', USER.email);
      await page.click('#submit');
      await page.locator('#done').waitFor({ timeout: 10_000 });

      await smtp.waitFor(before + 1);
      const link = resetLinkIn(smtp.mails, USER.email);
      expect(link.searchParams.get('return_to')).toBe(`${authorize.pathname}${authorize.search}`);
      await page.goto(link.href);
      // The token left the address bar; the way back to the app stayed.
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
      const fresh = 'a passphrase chosen mid sign-in 3';
      await page.fill('#password', fresh);
      await page.fill('#password-again', fresh);
      await page.click('#submit');
      await page.locator('#done').waitFor({ timeout: 10_000 });
      const next = page.getByRole('link', { name: 'Continue to sign in' });
      expect(await next.getAttribute('href')).toBe(`${authorize.pathname}${authorize.search}`);
      await expectAccessible(page, 'the reset page, done, during an app\'s sign-in');
      await screenshot(page, 'hosted-reset-password-continue');

      await next.click();
      await page.waitForURL((u) => u.pathname === '/tenants/acme/oauth2/authorize', { timeout: 10_000 });
      await page.fill('#email', USER.email);
      await page.fill('#password', fresh);
      await page.click('#submit');
      await page.waitForURL((u) => u.href.startsWith(`${site.url}/callback`), { timeout: 10_000 });
      const done = page.locator('[data-testid="redirect-done"]');
      await done.waitFor({ timeout: 10_000 });
      expect(await done.textContent()).toBe(`Signed in as ${USER.email}, back to /inbox`);
      await context.close();
    });

    it('"Create an account" during an app\'s sign-in: sign up → mail → confirm → the app gets its code, no second sign-in', async () => {
      const { server } = stack;
      await updateSettings(server.deps, operatorContext(server), OPERATOR, { signup: { enabled: true } });
      const { context, page } = await openSpaPage(stack.browser, server, site.url, 'React SPA sign-up');
      const email = 'joined-mid-sign-in@example.com';
      const password = 'a passphrase made while signing up 7';
      await page.goto(`${site.url}/`);
      await page.getByRole('button', { name: 'Sign in with Portcullis' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${server.url}/tenants/acme/oauth2/authorize?`), { timeout: 10_000 });
      const authorize = new URL(page.url());
      const back = `${authorize.pathname}${authorize.search}`;
      const before = smtp.mails.length;

      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL((u) => u.pathname === '/tenants/acme/signup', { timeout: 10_000 });
      expect(new URL(page.url()).searchParams.get('return_to')).toBe(back);
      expect(await page.getByRole('link', { name: 'Already have an account? Sign in' }).getAttribute('href')).toBe(back);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.fill('#password-again', password);
      await expectAccessible(page, 'the sign-up page during an app\'s sign-in');
      await page.click('#submit');
      await page.locator('#done').waitFor({ timeout: 10_000 });

      await smtp.waitFor(before + 1);
      const link = resetLinkIn(smtp.mails, email, 'verify-email');
      expect(link.searchParams.get('return_to')).toBe(back);
      await page.goto(link.href);
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
      expect(await page.locator('#intro').textContent()).toBe('Press the button to confirm this address for your acme account and continue to React SPA sign-up.');
      await expectAccessible(page, 'the verify page during an app\'s sign-in');
      await screenshot(page, 'hosted-verify-email-for-app');
      // Confirming signs the person in and finishes the app's request: straight to its redirect URI.
      await page.click('#submit');
      await page.waitForURL((u) => u.href.startsWith(`${site.url}/callback`), { timeout: 10_000 });
      const done = page.locator('[data-testid="redirect-done"]');
      await done.waitFor({ timeout: 10_000 });
      // The app exchanged the code (PKCE) and holds a session for the new account.
      expect(await done.textContent()).toBe(`Signed in as ${email}, back to /inbox`);
      const [verified] = await server.audit('user.email_verified');
      expect(verified?.outcome).toBe('success');
      await context.close();
    });
  });

  describe('@portcullis/react', () => {
    it('<ForgotPassword/> mails a link; <ResetPassword/> on the app\'s own route sets the new password', async () => {
      const { server, emulator } = stack;
      const email = 'react-reset@example.com';
      await createUser(server.deps, { tenant: server.tenant }, OPERATOR, { email, password: 'the old react passphrase' });
      const before = smtp.mails.length;
      const context = await humanContext(stack.browser);
      const options = { baseUrl: server.url, tenant: 'acme', scriptUrls: { turnstile: `${emulator.url}/turnstile/v0/api.js` } };
      await context.addInitScript(`window.__PORTCULLIS__ = ${JSON.stringify(options)}`);
      const page = await context.newPage();
      const calls: string[] = [];
      page.on('request', (r) => { if (r.url().startsWith(server.url) && r.method() === 'POST') calls.push(new URL(r.url()).pathname); });

      await page.goto(`${site.url}/?mode=forgot`);
      await page.getByLabel('Email').fill(email);
      await expectAccessible(page, 'the React <ForgotPassword/>');
      await screenshot(page, 'react-forgot-password');
      await page.getByRole('button', { name: 'Send the link' }).click();
      const sent = page.getByRole('status');
      await sent.waitFor({ timeout: 10_000 });
      expect(await sent.textContent()).toBe(`Check your emailIf ${email} has an account, we sent it a link to choose a new password. The link works for one hour.`);

      await smtp.waitFor(before + 1);
      const token = resetLinkIn(smtp.mails, email).searchParams.get('token')!;
      await page.goto(`${site.url}/?mode=reset&token=${encodeURIComponent(token)}`);
      await page.getByLabel('New password', { exact: true }).fill('short');
      await page.getByLabel('New password, again').fill('short');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      // The server's rule, in words.
      await page.locator('.portcullis-error', { hasText: 'at least 10 characters' }).waitFor({ timeout: 10_000 });
      const fresh = 'a react made passphrase 11';
      await page.getByLabel('New password', { exact: true }).fill(fresh);
      await page.getByLabel('New password, again').fill(fresh);
      await expectAccessible(page, 'the React <ResetPassword/>');
      await screenshot(page, 'react-reset-password');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      const changed = page.getByRole('status');
      await changed.waitFor({ timeout: 10_000 });
      expect(await changed.textContent()).toBe('Your password is changedEvery session of your account was signed out. Sign in with the new password.');
      expect(calls).toEqual(['/api/v1/auth/password-reset', '/api/v1/auth/password-reset/confirm', '/api/v1/auth/password-reset/confirm']);

      // The new password signs in through the app's <SignIn/>; the old one no longer does.
      const [reset] = await server.audit('user.password_reset');
      expect(reset?.outcome).toBe('success');
      await page.goto(`${site.url}/`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(fresh);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-testid="signed-in"]').waitFor({ timeout: 10_000 });
      await context.close();
    });
  });
});
