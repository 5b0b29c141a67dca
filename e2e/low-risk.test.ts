import { expect, it } from 'vitest';
import { describeBrowser, humanContext, recordDeviceSignals, screenshot } from './support/browser.js';
import { turnstileVia, USER } from './support/portcullis.js';
import { submitHostedForm, useStack } from './support/suite.js';

describeBrowser('hosted /login from an everyday browser', () => {
  // A captcha is configured, so the engine could challenge, but not forced on every sign-in.
  const stack = useStack((emulator) => ({ policy: { captcha: turnstileVia(emulator.url) } }));

  it('signs in without a captcha when nothing about the attempt is risky', async () => {
    const { browser, server } = stack;
    const context = await humanContext(browser);
    const page = await context.newPage();
    const device = recordDeviceSignals(page);
    await page.goto(`${server.url}/login`);
    await submitHostedForm(page);
    const signedIn = page.locator('[data-testid="signed-in"]');
    await signedIn.waitFor({ timeout: 10_000 });
    await screenshot(page, 'low-risk');

    const [row] = await server.audit('user.signed_in', 1);
    expect(await signedIn.textContent()).toBe(`Signed in as ${USER.email} (${row?.actor.id})`);
    // Software WebGL (no GPU here) still reports through; headless markers must not.
    expect(device.last).toMatchObject({ signals: { webdriver: false, headless_ua: false, ua_ch_mismatch: false } });
    expect(row?.context['risk'], `device sent: ${JSON.stringify(device.last)}`).toEqual({ action: 'allow', score: 0, reasons: [] });
    expect(await server.audit('captcha.required')).toEqual([]);
    expect(page.frames(), 'no widget iframe was ever attached').toHaveLength(1);
    await context.close();
  });
});
