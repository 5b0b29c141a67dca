import { describe, expect, it } from 'vitest';
import { collectDeviceSignals } from '../src/index.js';
import { uaChMismatch } from '../src/device/ua-hints.js';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('collectDeviceSignals without a DOM', () => {
  it('never throws: every probe that cannot run reports blocked, and the visitor id is stable', async () => {
    const first = await collectDeviceSignals();
    expect(first.visitor_id).toMatch(/^vis_[0-9a-f]{32}$/);
    expect(first.signals).toMatchObject({ canvas: 'blocked', webgl: 'blocked', audio: 'blocked', headless_ua: false, webdriver: false });
    expect((await collectDeviceSignals()).visitor_id).toBe(first.visitor_id);
  });
});

describe('uaChMismatch', () => {
  it.each([
    ['consistent Chrome on Linux', CHROME_LINUX, { brands: [{ brand: 'Chromium' }, { brand: 'Google Chrome' }], platform: 'Linux', mobile: false }, false],
    ['hints say Windows, the UA says Linux', CHROME_LINUX, { brands: [{ brand: 'Google Chrome' }], platform: 'Windows', mobile: false }, true],
    ['Chromium hints behind a Firefox UA', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', { brands: [{ brand: 'Chromium' }], platform: 'Linux' }, true],
    ['a Chrome UA with no hints (a spoofed string)', CHROME_LINUX, undefined, true],
    ['Firefox, which has no hints', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', undefined, false],
  ])('%s', (_name, ua, data, expected) => {
    expect(uaChMismatch(ua, data, true)).toBe(expected);
  });
});
