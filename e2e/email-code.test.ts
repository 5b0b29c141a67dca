import { expect, it } from 'vitest';
import { startSmtpServer } from '../packages/server/test/support/smtp.js';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { AUTO_SITE_KEY, turnstileVia, USER } from './support/portcullis.js';
import { submitHostedForm, useStack } from './support/suite.js';

describeBrowser('hosted /login while the captcha provider is down, with the email-code fallback', () => {
  let mails: Awaited<ReturnType<typeof startSmtpServer>>;
  const stack = useStack(async (emulator, cleanup) => {
    mails = await startSmtpServer();
    cleanup(() => mails.close());
    // siteverify answers 500 (the widget itself still works): the provider is unreachable.
    emulator.controls.setMode('http500', 'turnstile');
    return {
      env: { PORTCULLIS_SMTP_URL: mails.url },
      // The auto-passing site key: the widget hands over a token by itself, and verifying it fails.
      policy: { captcha: turnstileVia(emulator.url, { site_key: AUTO_SITE_KEY, on_every_login: true, outage_fallback: 'email_otp' }) },
    };
  });

  it("asks for the code mailed over SMTP in the SDK's prompt, and signs in with it", async () => {
    const { browser, server } = stack;
    const context = await humanContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await submitHostedForm(page);

    const dialog = page.getByRole('dialog', { name: 'Check your email' });
    const input = dialog.getByLabel('Code');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#portcullis-otp-code').count()).toBe(1);
    expect(await page.locator('#captcha iframe').count(), 'the widget is closed when the prompt opens').toBe(0);
    await screenshot(page, 'email-code');

    await mails.waitFor(1);
    const [mail] = mails.mails;
    expect(mail?.to).toEqual([USER.email]);
    const code = /^Subject: Your sign-in code: (\d{6})\r?$/m.exec(mail!.raw)?.[1];
    expect(code, mail?.raw).toMatch(/^\d{6}$/);
    await input.fill(code!);
    await dialog.getByRole('button', { name: 'Continue' }).click();

    const signedIn = page.locator('[data-testid="signed-in"]');
    await signedIn.waitFor({ timeout: 10_000 });
    expect(await signedIn.textContent()).toContain(`Signed in as ${USER.email}`);
    expect(await dialog.count()).toBe(0);

    const [unreachable] = await server.audit('captcha.provider_unreachable');
    expect(unreachable?.data).toMatchObject({ provider: 'turnstile' });
    expect(await server.audit('email_otp.sent')).toHaveLength(1);
    expect(await server.audit('email_otp.verified')).toHaveLength(1);
    const [signed] = await server.audit('user.signed_in');
    expect(signed?.data).toEqual({ amr: ['pwd', 'otp'] });
    await context.close();
  });
});
