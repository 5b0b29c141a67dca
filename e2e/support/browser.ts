import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

/** Debian's Chromium: the suite drives the browser a developer's distribution ships, not a downloaded one. */
export const CHROMIUM = '/usr/bin/chromium';

const present = existsSync(CHROMIUM);
if (!present && process.env['CI'] === 'true') {
  // In CI a missing browser is a broken image, not a reason to report green.
  throw new Error(`browser e2e: ${CHROMIUM} is missing (CI=true): install Debian's chromium package`);
}

/** `describe`, or one skipped suite that says why when there is no browser (outside CI only). */
export const describeBrowser: (name: string, fn: () => void) => void = present
  ? (name, fn) => describe(name, fn)
  : (name) => {
    console.warn(`browser e2e skipped: no ${CHROMIUM} (install Debian's chromium package to run "${name}")`);
    describe.skip(`browser e2e (no ${CHROMIUM})`, () => { it(name, () => {}); });
  };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A context that looks like an everyday desktop Chrome to the SDK's device probes: a user agent
 * without "HeadlessChrome" (same major version as the real browser, so it agrees with the Client
 * Hints) and `navigator.webdriver` false. Everything else is what this Chromium really reports.
 */
export async function humanContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const major = browser.version().split('.')[0];
  const context = await browser.newContext({
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    viewport: { width: 1024, height: 720 },
    ...options,
  });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
  return context;
}

/** Plain headless Chromium as Playwright launches it: `HeadlessChrome` UA, `navigator.webdriver` true. */
export function headlessContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1024, height: 720 }, ...options });
}

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Saves `docs/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** The `device` object of the last sign-in the page posted: what the SDK's probes reported. */
export function recordDeviceSignals(page: Page): { last: unknown } {
  const seen: { last: unknown } = { last: undefined };
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/api/v1/auth/login')) return;
    try {
      seen.last = (JSON.parse(request.postData() ?? '{}') as { device?: unknown }).device;
    } catch {
      // not JSON: nothing to record
    }
  });
  return seen;
}
