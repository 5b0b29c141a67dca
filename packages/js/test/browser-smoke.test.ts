import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startCaptchaEmulator, type RunningEmulator } from '@portcullis/captcha-emulator';

// One real-browser check of the built bundle; the full suite is the e2e Playwright project's.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const pkg = fileURLToPath(new URL('..', import.meta.url));
const TURNSTILE_PASS = '1x00000000000000000000AA';
const TURNSTILE_CLICK = '3x00000000000000000000FF';
let sitekey = TURNSTILE_PASS;

let server: Server;
let origin: string;
let emu: RunningEmulator;
let browser: Browser;
let bundle: string;
let frameSrc = '';
let scriptSrc = '';

/** The host page: a nonce for its one inline module, and the captcha origin in script-src; frame-src varies per test. */
function page(nonce: string): { html: string; csp: string } {
  const csp = `default-src 'self'; script-src 'self' 'nonce-${nonce}' ${scriptSrc || emu.url}; frame-src ${frameSrc}`;
  const html = `<!DOCTYPE html><html lang="en"><head><title>smoke</title>
<script type="module" nonce="${nonce}">import * as sdk from '/portcullis.js'; window.sdk = sdk; window.ready = true;</script>
</head><body><main id="box"></main></body></html>`;
  return { html, csp };
}

/** A stand-in for the login route: captcha_required until a token comes, then success. */
function login(body: { captcha?: { provider: string; token: unknown } }): { status: number; body: unknown } {
  if (!body.captcha) return { status: 403, body: { error: 'captcha_required', message: 'x', details: { provider: 'turnstile', site_key: sitekey, action: 'login' }, request_id: 'req_1' } };
  const token = typeof body.captcha.token === 'string' ? body.captcha.token : '';
  return { status: 200, body: { data: { state: 'success', session: { id: 'ses_1', user_id: 'usr_1' }, access_token: `at.${token.length}`, refresh_token: 'rt', token_type: 'Bearer', expires_in: 900 } } };
}

beforeAll(async () => {
  if (!existsSync(`${pkg}/dist/index.js`)) throw new Error('build first: npx tsc -b packages/js');
  execFileSync(process.execPath, [`${pkg}/scripts/bundle.mjs`]);
  bundle = readFileSync(`${pkg}/dist/portcullis.js`, 'utf8');
  emu = await startCaptchaEmulator({ port: 0, host: '127.0.0.1' });
  server = createServer((req, res) => {
    if (req.url === '/portcullis.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    if (req.url === '/api/v1/auth/login') {
      let raw = '';
      req.on('data', (c) => { raw += c; }).on('end', () => {
        const answer = login(JSON.parse(raw));
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
      return;
    }
    if (req.url?.split('?')[0] !== '/') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const { html, csp } = page('n0nce');
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: the page and the emulator are different origins, as in production.
  origin = `http://localhost:${(server.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await emu?.close();
});

async function open(): Promise<Page> {
  const p = await browser.newPage();
  await p.goto(`${origin}/`);
  await p.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
  return p;
}

describe.skipIf(!existsSync(CHROMIUM))('the bundle in Chromium', () => {
  it('collectDeviceSignals reports headless Chromium as such', async () => {
    const p = await open();
    const result = await p.evaluate(() => (globalThis as any).sdk.collectDeviceSignals());
    expect(result.visitor_id).toMatch(/^vis_[0-9a-f]{32}$/);
    expect(result.signals).toMatchObject({ webdriver: true, headless_ua: true, canvas: 'stable', ua_ch_mismatch: false });
    expect(['ok', 'software', 'blocked']).toContain(result.signals.webgl);
    expect(['stable', 'noisy']).toContain(result.signals.audio);
    expect(result.signals.screen).toHaveLength(3);
    await p.close();
  });

  it('signIn renders the emulated Turnstile widget, sends its token, and closes the dialog', async () => {
    frameSrc = emu.url;
    const p = await open();
    const session = await p.evaluate((scriptUrl) => new (globalThis as any).sdk.AuthClient({
      scriptUrls: { turnstile: scriptUrl }, collectDevice: false,
    }).signIn({ email: 'a@example.com', password: 'pw' }), `${emu.url}/turnstile/v0/api.js`);
    expect(session).toMatchObject({ id: 'ses_1', userId: 'usr_1' });
    expect(session.accessToken).not.toBe('at.0');
    expect(await p.locator('dialog').count()).toBe(0);
    await p.close();
  });

  it('a frame-src without the captcha origin rejects captcha_blocked naming what to add', async () => {
    frameSrc = "'self'";
    const p = await open();
    const error = await p.evaluate((scriptUrl) => new (globalThis as any).sdk.AuthClient({
      scriptUrls: { turnstile: scriptUrl }, collectDevice: false, renderTimeoutMs: 5000,
    }).signIn({ email: 'a@example.com', password: 'pw' }).catch((e: any) => ({ code: e.code, message: e.message, details: e.details })), `${emu.url}/turnstile/v0/api.js`);
    expect(error).toEqual({
      code: 'captcha_blocked',
      message: `Content-Security-Policy blocks the captcha: add ${emu.url} to frame-src`,
      details: { provider: 'turnstile', directive: 'frame-src', origin: emu.url },
    });
    await p.close();
  });

  it('the built-in dialog is labelled, takes focus, and Escape rejects captcha_cancelled and removes it', async () => {
    frameSrc = emu.url;
    sitekey = TURNSTILE_CLICK;
    const p = await open();
    await p.evaluate((scriptUrl) => {
      const g = globalThis as any;
      g.outcome = new g.sdk.AuthClient({ scriptUrls: { turnstile: scriptUrl }, collectDevice: false })
        .signIn({ email: 'a@example.com', password: 'pw' }).catch((e: any) => e.code);
    }, `${emu.url}/turnstile/v0/api.js`);
    const dialog = p.getByRole('dialog', { name: 'Verify you are human' });
    await dialog.waitFor();
    await p.frameLocator('dialog iframe').getByRole('checkbox', { name: 'I am human' }).waitFor();
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Verify you are human');
    await p.keyboard.press('Escape');
    expect(await p.evaluate(() => (globalThis as any).outcome)).toBe('captcha_cancelled');
    expect(await p.locator('dialog').count()).toBe(0);
    sitekey = TURNSTILE_PASS;
    await p.close();
  });

  it('a script-src without the captcha origin, or a script that fails to load, is captcha_blocked too', async () => {
    frameSrc = emu.url;
    scriptSrc = "'self'";
    const p = await open();
    const attempt = (scriptUrl: string) => p.evaluate((url) => new (globalThis as any).sdk.AuthClient({ scriptUrls: { turnstile: url }, collectDevice: false })
      .signIn({ email: 'a@example.com', password: 'pw' }).catch((e: any) => ({ code: e.code, message: e.message, details: e.details })), scriptUrl);
    expect(await attempt(`${emu.url}/turnstile/v0/api.js`)).toMatchObject({
      code: 'captcha_blocked', message: `Content-Security-Policy blocks the captcha: add ${emu.url} to script-src`,
    });
    // Same origin, so CSP allows it; the 404 is what fails: the message says what CSP must allow anyway.
    const missing = await attempt(`${origin}/nope/api.js`);
    // A 200 that is not the provider's script (an HTML page) fails at its load event, not at the timeout.
    expect(await attempt(`${origin}/`)).toMatchObject({ code: 'captcha_blocked', details: { directive: 'script-src' } });
    expect(missing).toMatchObject({ code: 'captcha_blocked', details: { provider: 'turnstile', directive: 'script-src', origin } });
    expect(missing.message).toContain(`it must allow script-src ${origin}; frame-src ${origin}`);
    scriptSrc = '';
    await p.close();
  });
});
