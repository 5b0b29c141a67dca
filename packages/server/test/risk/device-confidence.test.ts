import { describe, expect, it } from 'vitest';
import type { DeviceSignals } from '@portcullis/protocol';
import { deviceConfidence } from '../../src/domain/risk/device-confidence.js';

// What the SDK reports for a normal desktop Chrome.
const DESKTOP_CHROME: DeviceSignals = {
  webdriver: false, headless_ua: false, plugins: 5, languages: 2, canvas: 'stable', webgl: 'ok', audio: 'stable',
  storage_quota_mb: 10_240, timezone: 'Europe/Berlin', tz_offset_min: -60, screen: [1920, 1080, 24],
  hardware_concurrency: 8, ua_ch_mismatch: false,
};
const PRIVACY = { canvas: 'noisy', audio: 'noisy', storage_quota_mb: 500 } as const;

describe('deviceConfidence', () => {
  it.each<[string, DeviceSignals | undefined, number, string[]]>([
    ['a normal desktop Chrome is fully trusted', DESKTOP_CHROME, 1, []],
    ['a phone (no plugins, as every mobile browser) stays high', { ...DESKTOP_CHROME, plugins: 0, screen: [412, 915, 24] }, 0.85, ['plugins.none']],
    ['no device data at all is zero', undefined, 0, ['device.missing']],
    ['webdriver alone is automation', { ...DESKTOP_CHROME, webdriver: true }, 0.05, ['automation.webdriver']],
    ['a headless user agent alone is automation', { ...DESKTOP_CHROME, headless_ua: true }, 0.05, ['automation.headless_ua']],
    ['headless Chrome driven by Puppeteer is near zero', { ...DESKTOP_CHROME, webdriver: true, headless_ua: true, webgl: 'software', plugins: 0 },
      0.001, ['automation.webdriver', 'automation.headless_ua', 'webgl.software', 'plugins.none']],
    ['Chrome incognito (a RAM-sized quota) is lowered, not condemned', { ...DESKTOP_CHROME, storage_quota_mb: 512 }, 0.7, ['storage.private_mode_quota']],
    ['a Brave-like browser is low but not zero', { ...DESKTOP_CHROME, ...PRIVACY }, 0.252,
      ['canvas.noisy', 'audio.noisy', 'storage.private_mode_quota']],
    ['a Tor-like browser is low but above automation', { ...DESKTOP_CHROME, ...PRIVACY, canvas: 'blocked', webgl: 'blocked' }, 0.126,
      ['canvas.blocked', 'audio.noisy', 'webgl.blocked', 'storage.private_mode_quota']],
    ['a UA that contradicts its client hints halves it', { ...DESKTOP_CHROME, ua_ch_mismatch: true }, 0.5, ['ua_ch_mismatch']],
    ['no languages is not a real browser', { ...DESKTOP_CHROME, languages: 0 }, 0.6, ['languages.none']],
    ['a 0×0 screen is odd', { ...DESKTOP_CHROME, screen: [0, 0, 24] }, 0.7, ['screen.odd']],
    ['a screen without colour depth is odd', { ...DESKTOP_CHROME, screen: [1920, 1080] }, 0.7, ['screen.odd']],
    ['zero CPU cores is odd', { ...DESKTOP_CHROME, hardware_concurrency: 0 }, 0.8, ['hardware_concurrency.zero']],
    ['an empty signals object scores near zero, not as a perfect browser', {}, 0.065,
      ['canvas.missing', 'audio.missing', 'webgl.missing', 'storage.missing', 'plugins.missing', 'languages.missing', 'screen.missing']],
  ])('%s', (_name, signals, confidence, factors) => {
    expect(deviceConfidence(signals)).toEqual({ confidence, factors });
  });

  it('treats an unknown fingerprint state as missing', () => {
    expect(deviceConfidence({ ...DESKTOP_CHROME, canvas: 'wobbly' } as unknown as DeviceSignals))
      .toEqual({ confidence: 0.5, factors: ['canvas.missing'] });
  });

  it('ignores keys it does not know, such as a client-sent confidence', () => {
    expect(deviceConfidence({ ...DESKTOP_CHROME, webdriver: true, confidence: 1 } as DeviceSignals).confidence).toBe(0.05);
  });

  it('keeps automation below the default 0.3 whatever else the browser claims', () => {
    for (const flag of ['webdriver', 'headless_ua'] as const) {
      expect(deviceConfidence({ ...DESKTOP_CHROME, [flag]: true }).confidence).toBeLessThan(0.3);
    }
  });

  it('ranks automation below privacy-hardened browsers, so a tenant can tell them apart', () => {
    const tor = deviceConfidence({ ...DESKTOP_CHROME, ...PRIVACY, canvas: 'blocked', webgl: 'blocked' }).confidence;
    expect(deviceConfidence({ ...DESKTOP_CHROME, webdriver: true }).confidence).toBeLessThan(tor);
    expect(tor).toBeGreaterThan(0);
  });
});

describe('the documented desktop reference', () => {
  it('scores the DESKTOP_CHROME_SIGNALS used by tests and benchmarks at full confidence', async () => {
    const { DESKTOP_CHROME_SIGNALS } = await import('../../src/domain/risk/device-confidence.js');
    expect(deviceConfidence(DESKTOP_CHROME_SIGNALS)).toEqual({ confidence: 1, factors: [] });
  });
});
