/**
 * @portcullis/captcha-emulator: an offline stand-in for Cloudflare Turnstile, Google reCAPTCHA
 * and hCaptcha (widget scripts, challenge iframes, siteverify) for development and tests.
 * Never mount it in production: it is a provider that anyone can talk into saying yes.
 */
export { createCaptchaEmulator, normalisePrefix, type CaptchaEmulator, type MountOptions } from './emulator.js';
export { startCaptchaEmulator, type RunningEmulator, type StandaloneOptions } from './standalone.js';
export type { EmulatorControls, EmulatorState } from './controls.js';
export { DUMMY_TOKENS, TEST_SECRETS, TEST_SITEKEYS, type TestSecret, type TestSitekey } from './test-keys.js';
export { SPECS, type ProviderSpec } from './widget/spec.js';
export {
  OUTAGE_MODES, PROVIDERS,
  type ChallengeBehaviour, type EmulatorOptions, type MintInput, type OutageMode, type Provider,
  type SiteRegistration, type SiteverifyAnswer, type TokenClaims,
} from './types.js';
