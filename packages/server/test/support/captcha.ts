import { startCaptchaEmulator, type RunningEmulator } from '@portcullis/captcha-emulator';
import type { Harness } from './harness.js';

export const SITE = { provider: 'turnstile' as const, sitekey: '0x4AAAAAAAacmeSiteKey', secret: '0x4AAAAAAAacmeSecretValue000000000' };
export const HOSTNAME = 'login.acme.example';

/** A standalone emulator on loopback that shares the harness's frozen clock, registered for tenant acme. */
export async function startEmulatorFor(h: Harness, policy: Record<string, unknown> = {}): Promise<RunningEmulator> {
  const emulator = await startCaptchaEmulator({ port: 0, now: () => h.clock.now() });
  emulator.controls.registerSite(SITE);
  const { captcha, ...rest } = policy;
  await h.setPolicy({
    ...rest,
    captcha: {
      provider: 'turnstile', site_key: SITE.sitekey, secret: SITE.secret, allowed_hostnames: [HOSTNAME],
      verify_url: `${emulator.url}/turnstile/v0/siteverify`, timeout_ms: 400, ...(captcha as object | undefined),
    },
  });
  return emulator;
}

export function mint(emulator: RunningEmulator, overrides: { sitekey?: string; action?: string; hostname?: string } = {}): string {
  return emulator.controls.mintToken({ provider: 'turnstile', sitekey: SITE.sitekey, action: 'login', hostname: HOSTNAME, ...overrides });
}
