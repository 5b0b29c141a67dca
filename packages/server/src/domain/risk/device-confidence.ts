import type { DeviceSignals } from '@portcullis/protocol';

/** How much the server believes a real person's everyday browser sent this attempt, and why. */
export interface DeviceConfidence {
  /** 0–1, three decimals. */
  confidence: number;
  /** The factors that lowered it, in table order; empty for a clean browser. */
  factors: string[];
}

/**
 * Below this many MiB, `navigator.storage.estimate().quota` looks like private mode.
 *
 * Source, Chromium `storage/browser/quota/quota_settings.cc`: an incognito profile's pool is the
 * physical RAM × a random 0.15–0.20, and one origin gets a third of it, so about 5–7 % of RAM
 * (8 GiB → 410–550 MiB, 16 GiB → 820–1090 MiB, 32 GiB → 1.6–2.2 GiB). Before the
 * `IncognitoDynamicQuota` feature the pool was capped at 300 MB ± 10 %, about 100 MB an origin:
 * the folklore "< 120 MB" test. A normal profile gets a share of the whole disk (tens to hundreds
 * of GiB), and since Chrome 138 ("Predictable reported storage quota") reports about usage +
 * 10 GiB. Firefox's best-effort quota is min(10 % of the disk, 10 GiB).
 * Assumptions: the SDK sends the quota in MiB (quota / 2^20); a normal profile on a nearly full
 * disk can also report little, so this is a penalty, never a verdict; and once Chrome reports a
 * fixed quota in incognito too (the `IncognitoStaticStorageQuota` experiment), this signal only
 * catches older and other engines.
 */
export const PRIVATE_MODE_QUOTA_MB = 2048;

type Rule = readonly [factor: string, multiplier: number, when: (s: DeviceSignals) => boolean];

// Keys the SDK always sends. A missing one is read as the browser refusing it: otherwise `{}`,
// the cheapest thing a script can post, would score as a perfect browser.
const FINGERPRINTS = { canvas: ['stable', 'noisy', 'blocked'], audio: ['stable', 'noisy', 'blocked'], webgl: ['ok', 'software', 'blocked'] } as const;
const state = <K extends keyof typeof FINGERPRINTS>(s: DeviceSignals, key: K): string =>
  (FINGERPRINTS[key] as readonly unknown[]).includes(s[key]) ? (s[key] as string) : 'missing';

const RULES: readonly Rule[] = [
  ['automation.webdriver', 0.05, (s) => s.webdriver === true],
  ['automation.headless_ua', 0.05, (s) => s.headless_ua === true],
  ['ua_ch_mismatch', 0.5, (s) => s.ua_ch_mismatch === true],
  ['canvas.noisy', 0.6, (s) => state(s, 'canvas') === 'noisy'],
  ['canvas.blocked', 0.5, (s) => state(s, 'canvas') === 'blocked'],
  ['canvas.missing', 0.5, (s) => state(s, 'canvas') === 'missing'],
  ['audio.noisy', 0.6, (s) => state(s, 'audio') === 'noisy'],
  ['audio.blocked', 0.5, (s) => state(s, 'audio') === 'blocked'],
  ['audio.missing', 0.5, (s) => state(s, 'audio') === 'missing'],
  ['webgl.software', 0.7, (s) => state(s, 'webgl') === 'software'],
  ['webgl.blocked', 0.6, (s) => state(s, 'webgl') === 'blocked'],
  ['webgl.missing', 0.6, (s) => state(s, 'webgl') === 'missing'],
  ['storage.private_mode_quota', 0.7, (s) => typeof s.storage_quota_mb === 'number' && s.storage_quota_mb < PRIVATE_MODE_QUOTA_MB],
  ['storage.missing', 0.8, (s) => typeof s.storage_quota_mb !== 'number'],
  ['plugins.none', 0.85, (s) => s.plugins === 0],
  ['plugins.missing', 0.85, (s) => typeof s.plugins !== 'number'],
  ['languages.none', 0.6, (s) => s.languages === 0],
  ['languages.missing', 0.8, (s) => typeof s.languages !== 'number'],
  ['screen.odd', 0.7, (s) => Array.isArray(s.screen) && oddScreen(s.screen)],
  ['screen.missing', 0.8, (s) => !Array.isArray(s.screen)],
  ['hardware_concurrency.zero', 0.8, (s) => s.hardware_concurrency === 0],
];

// Real displays are at least a small phone and at most an 8K wall; colour depth is 15–48 bits.
// Headless and emulated browsers report 0×0, tiny or absurd sizes.
function oddScreen(screen: readonly number[]): boolean {
  const [w = 0, h = 0, depth = 0] = screen;
  return screen.length !== 3 || w < 200 || h < 200 || w > 16_384 || h > 16_384 || depth < 15 || depth > 48;
}

/**
 * Device confidence from the raw signals the SDK sends (DESIGN §7). A client-sent confidence is
 * never read: the number is computed here. Every signal is forgeable by a determined bot, so
 * this only has to catch the cheap ones; the captcha catches the rest. Confidence starts at 1
 * and is multiplied by each factor that applies (no data at all: 0):
 *
 * | factor | when | × |
 * |---|---|---|
 * | `device.missing` | no `device.signals` at all | → 0 |
 * | `automation.webdriver` | `webdriver: true` (navigator.webdriver: Selenium, Puppeteer, Playwright) | 0.05 |
 * | `automation.headless_ua` | `headless_ua: true` (e.g. `HeadlessChrome` in the UA) | 0.05 |
 * | `ua_ch_mismatch` | the UA string contradicts its Client Hints (a spoofed UA) | 0.5 |
 * | `canvas.noisy` / `audio.noisy` | readback differs between draws (Brave farbling, anti-fingerprinting extensions) | 0.6 each |
 * | `canvas.blocked` / `audio.blocked` (or `.missing`) | readback refused or absent (Tor Browser, strict extensions) | 0.5 each |
 * | `webgl.software` | software renderer (SwiftShader/llvmpipe: headless, VMs, remote desktops) | 0.7 |
 * | `webgl.blocked` (or `.missing`) | no WebGL | 0.6 |
 * | `storage.private_mode_quota` | storage quota < {@link PRIVATE_MODE_QUOTA_MB} MiB (private mode, see there) | 0.7 |
 * | `storage.missing` | no quota reported | 0.8 |
 * | `plugins.none` (or `.missing`) | zero plugins (old headless; but also every mobile browser, hence mild) | 0.85 |
 * | `languages.none` | `navigator.languages` empty (real browsers always have one) | 0.6 |
 * | `languages.missing` | not reported | 0.8 |
 * | `screen.odd` | not `[w, h, depth]`, a side < 200 or > 16384 px, depth outside 15–48 | 0.7 |
 * | `screen.missing` | not reported | 0.8 |
 * | `hardware_concurrency.zero` | zero CPU cores | 0.8 |
 *
 * Landmarks against the default `below: 0.3`: a normal desktop Chrome 1.0 (mobile 0.85);
 * webdriver or headless UA alone 0.05 (automation is always under 0.3); Chrome incognito 0.7;
 * Brave-like (canvas and audio noisy, small quota) 0.252, Tor-like (canvas blocked, audio noisy,
 * WebGL blocked, small quota) 0.126: low, so challenged, but above automation, so a tenant can
 * let privacy browsers through with `below: 0.1` and still stop webdriver; an empty object 0.065.
 */
export function deviceConfidence(signals: DeviceSignals | undefined): DeviceConfidence {
  if (signals === undefined || signals === null) return { confidence: 0, factors: ['device.missing'] };
  let confidence = 1;
  const factors: string[] = [];
  for (const [factor, multiplier, when] of RULES) {
    if (!when(signals)) continue;
    confidence *= multiplier;
    factors.push(factor);
  }
  return { confidence: Math.round(confidence * 1000) / 1000, factors };
}

/** What the SDK sends from an ordinary desktop Chrome (confidence 1): the reference for docs, tests and benchmarks. */
export const DESKTOP_CHROME_SIGNALS: DeviceSignals = Object.freeze({
  webdriver: false, headless_ua: false, plugins: 5, languages: 2, canvas: 'stable', webgl: 'ok', audio: 'stable',
  storage_quota_mb: 10240, timezone: 'Europe/Berlin', tz_offset_min: -60, screen: [1920, 1080, 24], hardware_concurrency: 8, ua_ch_mismatch: false,
});
