import { expect, it } from 'vitest';
import { describeBrowser, headlessContext, recordDeviceSignals, screenshot } from './support/browser.js';
import { turnstileVia, USER } from './support/portcullis.js';
import { submitHostedForm, useStack } from './support/suite.js';

describeBrowser('hosted /login from plain headless Chromium', () => {
  // Same tenant as the low-risk test: a captcha configured, not forced.
  const stack = useStack((emulator) => ({ policy: { captcha: turnstileVia(emulator.url) } }));

  it('is challenged for low device confidence, and can still sign in by solving the captcha', async () => {
    const { browser, server } = stack;
    const context = await headlessContext(browser);
    const page = await context.newPage();
    const device = recordDeviceSignals(page);
    await page.goto(`${server.url}/login`);
    await submitHostedForm(page);

    const human = page.frameLocator('#captcha iframe').getByRole('checkbox', { name: 'I am human' });
    await human.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#captcha iframe').count()).toBe(1);
    await screenshot(page, 'headless-challenged');

    expect(device.last).toMatchObject({ signals: { webdriver: true, headless_ua: true } });
    const [required] = await server.audit('captcha.required');
    const risk = required?.context['risk'] as { action: string; reasons: { code: string; confidence?: number }[] };
    expect(risk.action).toBe('challenge');
    const low = risk.reasons.find((r) => r.code === 'device.low_confidence');
    expect(low, JSON.stringify(risk)).toMatchObject({ points: 40, below: 0.3 });
    expect(low!.confidence).toBeLessThan(0.3);
    expect(risk.reasons.map((r) => r.code)).not.toContain('tenant.captcha_always');

    await human.click();
    const signedIn = page.locator('[data-testid="signed-in"]');
    await signedIn.waitFor({ timeout: 10_000 });
    expect(await signedIn.textContent()).toContain(`Signed in as ${USER.email}`);
    const [signed] = await server.audit('user.signed_in');
    expect(signed?.context['risk']).toMatchObject({ action: 'challenge' });
    await context.close();
  });
});
