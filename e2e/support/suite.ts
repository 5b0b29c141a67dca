import { afterAll, beforeAll } from 'vitest';
import { startCaptchaEmulator, type RunningEmulator } from '@portcullis/captcha-emulator';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { assertSdkBundleFresh } from './builds.js';
import { startPortcullis, USER, type RunningPortcullis, type StartOptions } from './portcullis.js';

/** One Chromium per test file (launching costs about a second), shared by its suites. */
export function useBrowser(): { current: Browser } {
  const holder = {} as { current: Browser };
  beforeAll(async () => { holder.current = await launchBrowser(); });
  afterAll(async () => { await holder.current?.close(); });
  return holder;
}

export interface Stack {
  browser: Browser;
  /** A standalone emulator on its own origin, as a real provider is to a page. */
  emulator: RunningEmulator;
  server: RunningPortcullis;
}

type Cleanup = () => Promise<unknown>;

/**
 * A standalone captcha emulator and a Portcullis of their own for one suite (so one flow's
 * policy, outage mode or counters cannot leak into another), plus the file's browser. `prepare`
 * sees the emulator (for the tenant policy) and may start more (a static site, an SMTP server)
 * whose `cleanup` runs after the server has stopped.
 */
export function useStack(
  browser: { current: Browser },
  prepare: (emulator: RunningEmulator, cleanup: (fn: Cleanup) => void) => Promise<StartOptions> | StartOptions,
): Stack {
  const stack = {} as Stack;
  const cleanups: Cleanup[] = [];
  beforeAll(async () => {
    assertSdkBundleFresh();
    const emulator = await startCaptchaEmulator({ port: 0 });
    cleanups.push(() => emulator.close());
    Object.assign(stack, { browser: browser.current, emulator });
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
