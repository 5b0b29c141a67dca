import { describe, expect, it } from 'vitest';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { turnstileVia, USER } from './support/portcullis.js';
import { submitHostedForm, useBrowser, useStack } from './support/suite.js';

// Provider altcha (DESIGN §16) in a real Chromium: the widget Portcullis serves at /sdk/altcha.js
// (altcha 3.2.2) solves a challenge issued by altcha-lib 2.8.0 in a worker, under the hosted page's CSP.
describeBrowser('proof of work (altcha) on the hosted page', () => {
  const browser = useBrowser();

  describe('a tenant that runs altcha', () => {
    const stack = useStack(browser, () => ({ policy: { captcha: { provider: 'altcha', on_every_login: true } } }));

    it('solves the challenge in a worker, announces it, and signs in, with no CSP violation', async () => {
      const { server } = stack;
      const context = await humanContext(stack.browser);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
      const workers: string[] = [];
      page.on('worker', (w) => workers.push(w.url()));
      await page.goto(`${server.url}/login`);
      await submitHostedForm(page);
      await page.locator('altcha-widget').waitFor({ timeout: 10_000 });
      await page.locator('.portcullis-captcha-status[role="status"]', { hasText: /Checking|complete/ }).waitFor({ timeout: 10_000 });
      await screenshot(page, 'altcha-solving');
      await page.locator('[data-testid="signed-in"]').waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid="signed-in"]').textContent()).toBe(`Signed in as ${USER.email}`);
      expect(workers.length, 'the proof of work ran in a worker').toBeGreaterThan(0);
      expect(violations).toEqual([]);
      const [passed] = await server.audit('captcha.passed', 1);
      expect(passed?.data).toMatchObject({ provider: 'altcha' });
      expect(await server.audit('user.signed_in', 1)).toHaveLength(1);
      await context.close();
    });
  });

  describe('a Turnstile tenant with outage_fallback pow, during an emulated outage', () => {
    const stack = useStack(browser, (emulator) => ({ policy: { captcha: turnstileVia(emulator.url, { outage_fallback: 'pow', on_every_login: true, timeout_ms: 500 }) } }));

    it('switches to the proof of work by itself and signs in', async () => {
      const { server, emulator } = stack;
      emulator.controls.setMode('http500');
      const context = await humanContext(stack.browser);
      const page = await context.newPage();
      await page.goto(`${server.url}/login`);
      await submitHostedForm(page);
      // The Turnstile emulator widget (click to pass), then the fallback.
      const frame = page.frameLocator('iframe').first();
      await frame.locator('button, input[type="checkbox"]').first().click({ timeout: 10_000 }).catch(() => {});
      await page.locator('altcha-widget').waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="signed-in"]').waitFor({ timeout: 20_000 });
      const [down] = await server.audit('captcha.provider_unreachable', 1);
      expect(down?.data).toMatchObject({ provider: 'turnstile' });
      const [passed] = await server.audit('captcha.passed', 1);
      expect(passed?.data).toMatchObject({ provider: 'altcha' });
      await context.close();
    });
  });
});

