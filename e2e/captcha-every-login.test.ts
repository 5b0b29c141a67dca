import { expect, it } from 'vitest';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { turnstileVia, USER } from './support/portcullis.js';
import { submitHostedForm, useStack } from './support/suite.js';

describeBrowser('hosted /login with captcha on every login', () => {
  const stack = useStack((emulator) => ({ policy: { captcha: turnstileVia(emulator.url, { on_every_login: true }) } }));

  it('shows the widget even to an everyday browser, and signs in once "I am human" is clicked', async () => {
    const { browser, server, emulator } = stack;
    const context = await humanContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await submitHostedForm(page);

    const iframe = page.locator('#captcha iframe');
    const human = page.frameLocator('#captcha iframe').getByRole('checkbox', { name: 'I am human' });
    await human.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await iframe.count()).toBe(1);
    expect(new URL((await iframe.getAttribute('src'))!).origin).toBe(emulator.url);
    expect(await page.locator('[data-testid="signed-in"]').count()).toBe(0);
    await screenshot(page, 'captcha-every-login');

    await human.click();
    const signedIn = page.locator('[data-testid="signed-in"]');
    await signedIn.waitFor({ timeout: 10_000 });
    expect(await signedIn.textContent()).toContain(`Signed in as ${USER.email}`);
    expect(await page.locator('#captcha iframe').count(), 'the widget is removed after sign-in').toBe(0);

    const [required] = await server.audit('captcha.required');
    expect(required?.context['risk']).toMatchObject({ action: 'challenge', reasons: [{ code: 'tenant.captcha_always' }] });
    const [passed] = await server.audit('captcha.passed');
    expect(passed?.data).toMatchObject({ provider: 'turnstile', hostname: '127.0.0.1' });
    const [signed] = await server.audit('user.signed_in');
    expect(signed?.data).toEqual({ amr: ['pwd'] });
    await context.close();
  });
});
