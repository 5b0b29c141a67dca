interface UaData {
  brands?: { brand: string }[];
  platform?: string;
  mobile?: boolean;
}

const PLATFORMS: Readonly<Record<string, RegExp>> = {
  Windows: /Windows/,
  macOS: /Macintosh|Mac OS X/,
  Linux: /Linux|X11/,
  Android: /Android/,
  'Chrome OS': /CrOS/,
  ChromeOS: /CrOS/,
  iOS: /iPhone|iPad|iPod/,
};

/**
 * Whether the User-Agent string contradicts the Client Hints (`navigator.userAgentData`): a
 * spoofed UA string rarely fixes the hints too. A Chromium UA (v90+) without hints in a secure
 * context is also a contradiction: every Chromium there has them.
 */
export function uaChMismatch(ua: string, data: UaData | undefined, secureContext: boolean): boolean {
  const chromium = /(?:Chrome|HeadlessChrome)\/(\d+)/.exec(ua);
  if (!data) return chromium !== null && Number(chromium[1]) >= 90 && secureContext && !/ OPR\/| Edge\//.test(ua);
  const brands = (data.brands ?? []).map((b) => b.brand);
  if (brands.some((b) => /Chromium|Google Chrome|Microsoft Edge|HeadlessChrome/.test(b)) && !chromium) return true;
  const platform = data.platform ? PLATFORMS[data.platform] : undefined;
  if (platform && !platform.test(ua)) return true;
  if (data.mobile === true && !/Mobi|Android/.test(ua)) return true;
  return false;
}
