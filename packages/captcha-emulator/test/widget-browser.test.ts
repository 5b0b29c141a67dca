import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startCaptchaEmulator, type RunningEmulator } from '../src/index.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SECRET = 'emulated-account-secret';

let emu: RunningEmulator;
let site: FastifyInstance;
let siteOrigin: string;
let browser: Browser;

/** The host page: its own origin (localhost) and a CSP naming the emulator origin, as §13 does for the real ones. */
function hostPage(script: string, body: string, frameSrc: string): { html: string; csp: string } {
  const csp = `default-src 'self'; script-src 'self' 'unsafe-inline' ${emu.url}; frame-src ${frameSrc}`;
  const html = `<!DOCTYPE html><html><head>
<script>
window.result = { tokens: [], errors: [], violations: [] };
document.addEventListener('securitypolicyviolation', function (e) { window.result.violations.push(e.effectiveDirective); });
${body}
</script>
<script src="${emu.url}${script}" async defer></script>
</head><body><form id="f"><div id="widget"></div><div id="second"></div></form></body></html>`;
  return { html, csp };
}

const turnstileOnload = (sitekey: string, extra = ''): string => `
function onTurnstileLoad() {
  window.widgetId = turnstile.render('#widget', { sitekey: '${sitekey}', action: 'login', theme: 'light',
    callback: function (t) { window.result.tokens.push(t); },
    'error-callback': function (c) { window.result.errors.push(c); } });
  ${extra}
}`;

async function open(page: Page, path: string, content: { html: string; csp: string }): Promise<void> {
  pages.set(path, content);
  await page.goto(`${siteOrigin}${path}`);
}
const pages = new Map<string, { html: string; csp: string }>();

async function siteverify(response: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/turnstile/v0/siteverify`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ secret: SECRET, response, remoteip: '127.0.0.1' }),
  });
  return res.json() as Promise<Record<string, unknown>>;
}

beforeAll(async () => {
  emu = await startCaptchaEmulator({ port: 0, host: '127.0.0.1' });
  emu.controls.registerSite({ provider: 'turnstile', sitekey: '3x00000000000000000000FF', secret: SECRET });
  site = Fastify({ forceCloseConnections: true });
  site.get('/*', async (request, reply) => {
    const p = pages.get(request.url.split('?')[0] ?? '');
    if (!p) return reply.code(404).send('not found');
    return reply.header('content-security-policy', p.csp).type('text/html; charset=utf-8').send(p.html);
  });
  await site.listen({ port: 0, host: '127.0.0.1' });
  // localhost, not 127.0.0.1: the page and the emulator are different origins, as in production.
  siteOrigin = `http://localhost:${(site.server.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await emu?.close();
});

describe('Turnstile widget in Chromium', () => {
  it('renders explicitly, needs a click for 3x…FF, hands the token to the callback, and siteverify accepts it once', async () => {
    const page = await browser.newPage();
    await open(page, '/interactive', hostPage('/turnstile/v0/api.js?render=explicit&onload=onTurnstileLoad',
      turnstileOnload('3x00000000000000000000FF'), emu.url));
    const human = page.frameLocator('iframe[data-captcha-emulator="turnstile"]').getByRole('checkbox', { name: 'I am human' });
    await human.waitFor();
    expect(await page.evaluate(() => (globalThis as any).result.tokens.length)).toBe(0);
    await human.click();
    await page.waitForFunction(() => (globalThis as any).result.tokens.length === 1);
    const token = await page.evaluate(() => (globalThis as any).result.tokens[0] as string);
    expect(await page.evaluate(() => (globalThis as any).turnstile.getResponse((globalThis as any).widgetId))).toBe(token);
    expect(await page.inputValue('input[name="cf-turnstile-response"]')).toBe(token);

    expect(await siteverify(token)).toMatchObject({
      success: true, 'error-codes': [], hostname: 'localhost', action: 'login', metadata: { interactive: true },
    });
    expect(await siteverify(token)).toEqual({ success: false, 'error-codes': ['timeout-or-duplicate'] });
    await page.close();
  });

  it('passes 1x…AA without interaction and blocks 2x…AB with error 600010', async () => {
    const page = await browser.newPage();
    const second = `turnstile.render('#second', { sitekey: '2x00000000000000000000AB',
      'error-callback': function (c) { window.result.errors.push(c); } });`;
    await open(page, '/passive', hostPage('/turnstile/v0/api.js?render=explicit&onload=onTurnstileLoad',
      turnstileOnload('1x00000000000000000000AA', second), emu.url));
    await page.waitForFunction(() => (globalThis as any).result.tokens.length === 1 && (globalThis as any).result.errors.length === 1);
    expect(await page.evaluate(() => (globalThis as any).result.errors)).toEqual(['600010']);
    await page.close();
  });

  it('is blocked by a page CSP whose frame-src lacks the emulator origin', async () => {
    const page = await browser.newPage();
    await open(page, '/csp-blocked', hostPage('/turnstile/v0/api.js?render=explicit&onload=onTurnstileLoad',
      turnstileOnload('1x00000000000000000000AA'), "'self'"));
    await page.waitForFunction(() => (globalThis as any).result.violations.includes('frame-src'));
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as any).result.tokens)).toEqual([]);
    await page.close();
  });
});

describe('reCAPTCHA v3 and hCaptcha widgets in Chromium', () => {
  it('grecaptcha.execute(sitekey, {action}) resolves a v3 token carrying the action', async () => {
    emu.controls.registerSite({ provider: 'recaptcha', sitekey: '6Lv3-browser', secret: 'rc-secret', score: 0.7 });
    const page = await browser.newPage();
    await open(page, '/recaptcha', hostPage('/recaptcha/api.js?render=6Lv3-browser', `
      function go() { grecaptcha.ready(function () {
        grecaptcha.execute('6Lv3-browser', { action: 'login' }).then(function (t) { window.result.tokens.push(t); });
      }); }`, emu.url));
    await page.waitForFunction(() => typeof (globalThis as any).grecaptcha === 'object');
    await page.evaluate(() => (globalThis as any).go());
    await page.waitForFunction(() => (globalThis as any).result.tokens.length === 1);
    const token = await page.evaluate(() => (globalThis as any).result.tokens[0] as string);
    const res = await fetch(`${emu.url}/recaptcha/api/siteverify`, { method: 'POST', body: new URLSearchParams({ secret: 'rc-secret', response: token }) });
    expect(await res.json()).toMatchObject({ success: true, hostname: 'localhost', action: 'login', score: 0.7 });
    await page.close();
  });

  it('hcaptcha.render + click fills h-captcha-response', async () => {
    const page = await browser.newPage();
    await open(page, '/hcaptcha', hostPage('/hcaptcha/1/api.js?render=explicit&onload=hcLoad', `
      function hcLoad() { hcaptcha.render('widget', { sitekey: '10000000-ffff-ffff-ffff-000000000001',
        callback: function (t) { window.result.tokens.push(t); } }); }`, emu.url));
    await page.frameLocator('iframe[data-captcha-emulator="hcaptcha"]').getByRole('checkbox', { name: 'I am human' }).click();
    await page.waitForFunction(() => (globalThis as any).result.tokens.length === 1);
    const token = await page.evaluate(() => (globalThis as any).result.tokens[0] as string);
    expect(await page.inputValue('textarea[name="h-captcha-response"]')).toBe(token);
    await page.close();
  });
});
