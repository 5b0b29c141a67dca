import type { DeviceSignals } from '@portcullis/protocol';
import { probeAudio, probeCanvas, probeWebgl, withTimeout } from './probes.js';
import { uaChMismatch } from './ua-hints.js';
import { getVisitorId } from './visitor.js';

/** Each probe is given this long; collection as a whole stays well under a second. */
const PROBE_TIMEOUT_MS = 500;

/** Runs `probe`; a throw (a missing API, a privacy extension's trap) means "not available". */
function attempt<T>(probe: () => T): T | undefined {
  try {
    return probe();
  } catch {
    return undefined;
  }
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : undefined);

async function storageQuotaMb(): Promise<number | undefined> {
  const estimate = attempt(() => globalThis.navigator?.storage?.estimate());
  if (!estimate) return undefined;
  const result = await withTimeout(estimate.then((e) => e.quota), PROBE_TIMEOUT_MS, undefined);
  return typeof result === 'number' ? Math.round(result / 1048576) : undefined;
}

/**
 * Gathers the raw device signals of DESIGN §7 for the server's confidence score. Never
 * throws: a probe that fails reports `blocked` (or leaves its key out), which is itself a signal.
 */
export async function collectDeviceSignals(): Promise<{ visitor_id: string; signals: DeviceSignals }> {
  const nav = globalThis.navigator as (Navigator & { userAgentData?: Parameters<typeof uaChMismatch>[1] }) | undefined;
  const ua = nav?.userAgent ?? '';
  const [quota, audio] = await Promise.all([
    storageQuotaMb().catch(() => undefined),
    probeAudio(PROBE_TIMEOUT_MS).catch(() => 'blocked' as const),
  ]);
  const screen = attempt(() => globalThis.screen);
  const raw: Record<string, unknown> = {
    webdriver: attempt(() => nav?.webdriver === true) ?? false,
    headless_ua: /HeadlessChrome/.test(ua),
    plugins: attempt(() => int(nav?.plugins?.length)),
    languages: attempt(() => int(nav?.languages?.length)),
    canvas: attempt(probeCanvas) ?? 'blocked',
    webgl: attempt(probeWebgl) ?? 'blocked',
    audio,
    storage_quota_mb: quota,
    timezone: attempt(() => Intl.DateTimeFormat().resolvedOptions().timeZone)?.slice(0, 64),
    tz_offset_min: attempt(() => new Date().getTimezoneOffset()),
    screen: screen ? attempt(() => [screen.width, screen.height, screen.colorDepth].map((n) => int(n) ?? 0)) : undefined,
    hardware_concurrency: attempt(() => int(nav?.hardwareConcurrency)),
    ua_ch_mismatch: nav ? attempt(() => uaChMismatch(ua, nav.userAgentData, globalThis.isSecureContext === true)) : undefined,
  };
  // Absent rather than null: the server schema types every key it knows.
  const signals = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as DeviceSignals;
  return { visitor_id: getVisitorId(), signals };
}
