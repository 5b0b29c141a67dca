import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { turnstileVia, USER } from './support/portcullis.js';
import { startStaticServer } from './support/static-server.js';
import { useStack } from './support/suite.js';

const APP = fileURLToPath(new URL('./react-app/', import.meta.url));
const DIST = `${APP}dist`;

describeBrowser('the React <SignIn/> on its own origin, captcha on every login', () => {
  let appUrl = '';
  const stack = useStack(async (emulator, cleanup) => {
    // Built once if absent (`node e2e/react-app/build.mjs`); rebuild by hand after changing the SDK or React package.
    if (!existsSync(`${DIST}/index.html`)) await promisify(execFile)(process.execPath, [`${APP}build.mjs`], { timeout: 60_000 });
    const site = await startStaticServer({ root: DIST });
    cleanup(() => site.close());
    appUrl = site.url;
    return { allowedOrigins: [site.url], policy: { captcha: turnstileVia(emulator.url, { on_every_login: true }) } };
  });

  it('renders the widget inline in the form and signs in after "I am human"', async () => {
    const { browser, server, emulator } = stack;
    const context = await humanContext(browser);
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
