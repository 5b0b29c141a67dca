import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startCaptchaEmulator, type RunningEmulator } from '@portcullis/captcha-emulator';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { startPortcullis, USER, type RunningPortcullis, type StartOptions } from './portcullis.js';

/** The SDK bundle the hosted page imports from `/sdk/portcullis.js` (and the CSP test serves itself). */
export const SDK_BUNDLE = fileURLToPath(new URL('../../packages/js/dist/portcullis.js', import.meta.url));

export interface Stack {
  browser: Browser;
  /** A standalone emulator on its own origin, as a real provider is to a page. */
  emulator: RunningEmulator;
  server: RunningPortcullis;
}

type Cleanup = () => Promise<unknown>;

/**
 * One browser, one standalone captcha emulator and one Portcullis per test file. `prepare` sees
 * the emulator (for the tenant policy) and may start more (a static site, an SMTP server) whose
 * `cleanup` runs after the server has stopped.
 */
export function useStack(prepare: (emulator: RunningEmulator, cleanup: (fn: Cleanup) => void) => Promise<StartOptions> | StartOptions): Stack {
  const stack = {} as Stack;
  const cleanups: Cleanup[] = [];
  beforeAll(async () => {
    if (!existsSync(SDK_BUNDLE)) throw new Error(`${SDK_BUNDLE} is missing: run \`npm run build\` first`);
    const [browser, emulator] = await Promise.all([launchBrowser(), startCaptchaEmulator({ port: 0 })]);
    cleanups.push(() => browser.close(), () => emulator.close());
    Object.assign(stack, { browser, emulator });
    const options = await prepare(emulator, (fn) => cleanups.push(fn));
    stack.server = await startPortcullis(options);
    cleanups.push(() => stack.server.stop());
  });
  afterAll(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  });
  return stack;
}

/** Fills the hosted page's form with {@link USER} and submits it. */
export async function submitHostedForm(page: Page): Promise<void> {
  await page.fill('#email', USER.email);
  await page.fill('#password', USER.password);
  await page.click('#submit');
}
