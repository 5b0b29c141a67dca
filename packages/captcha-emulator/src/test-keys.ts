import type { ChallengeBehaviour, Provider } from './types.js';

/** A provider-published test sitekey and what its widget does. */
export interface TestSitekey {
  provider: Provider;
  sitekey: string;
  behaviour: ChallengeBehaviour;
  note: string;
}

/** What a provider-published test secret answers for any token. */
export type TestSecretBehaviour = 'pass' | 'fail' | 'spent';

/** A provider-published test secret. */
export interface TestSecret {
  provider: Provider;
  secret: string;
  behaviour: TestSecretBehaviour;
  /** Fixed `hostname` the real provider answers for test secrets, when it is known to be fixed. */
  hostname?: string;
}

/**
 * Published test keys (Cloudflare "Test your Turnstile implementation", Google reCAPTCHA FAQ,
 * hCaptcha "Integration testing"). They are public on purpose, so the production guard must
 * refuse them: anyone can produce a passing answer with them.
 */
export const TEST_SITEKEYS: readonly TestSitekey[] = [
  { provider: 'turnstile', sitekey: '1x00000000000000000000AA', behaviour: 'auto', note: 'always passes, visible' },
  { provider: 'turnstile', sitekey: '2x00000000000000000000AB', behaviour: 'block', note: 'always blocks, visible' },
  { provider: 'turnstile', sitekey: '1x00000000000000000000BB', behaviour: 'auto', note: 'always passes, invisible' },
  { provider: 'turnstile', sitekey: '2x00000000000000000000BB', behaviour: 'block', note: 'always blocks, invisible' },
  { provider: 'turnstile', sitekey: '3x00000000000000000000FF', behaviour: 'click', note: 'forces an interactive challenge' },
  { provider: 'recaptcha', sitekey: '6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI', behaviour: 'click', note: 'v2 checkbox, always passes' },
  { provider: 'hcaptcha', sitekey: '10000000-ffff-ffff-ffff-000000000001', behaviour: 'click', note: 'publisher test key' },
  { provider: 'hcaptcha', sitekey: '20000000-ffff-ffff-ffff-000000000002', behaviour: 'click', note: 'enterprise, safe end user' },
  { provider: 'hcaptcha', sitekey: '30000000-ffff-ffff-ffff-000000000003', behaviour: 'click', note: 'enterprise, bot detected' },
];

/** Published test secrets. */
export const TEST_SECRETS: readonly TestSecret[] = [
  { provider: 'turnstile', secret: '1x0000000000000000000000000000000AA', behaviour: 'pass' },
  { provider: 'turnstile', secret: '2x0000000000000000000000000000000AA', behaviour: 'fail' },
  { provider: 'turnstile', secret: '3x0000000000000000000000000000000AA', behaviour: 'spent' },
  { provider: 'recaptcha', secret: '6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe', behaviour: 'pass', hostname: 'testkey.google.com' },
  { provider: 'hcaptcha', secret: '0x0000000000000000000000000000000000000000', behaviour: 'pass', hostname: 'dummy-key-pass' },
];

/**
 * The fixed response tokens the real test sitekeys produce. Test secrets accept them; real
 * secrets reject them, as the providers do.
 */
export const DUMMY_TOKENS: Readonly<Record<Provider, readonly string[]>> = {
  turnstile: ['XXXX.DUMMY.TOKEN.XXXX'],
  recaptcha: [],
  hcaptcha: [
    '10000000-aaaa-bbbb-cccc-000000000001',
    '20000000-aaaa-bbbb-cccc-000000000002',
    '30000000-aaaa-bbbb-cccc-000000000003',
  ],
};

/** The published test sitekey entry, if `sitekey` is one for `provider`. */
export function findTestSitekey(provider: Provider, sitekey: string): TestSitekey | undefined {
  return TEST_SITEKEYS.find((k) => k.provider === provider && k.sitekey === sitekey);
}

/** The published test secret entry, if `secret` is one for `provider`. */
export function findTestSecret(provider: Provider, secret: string): TestSecret | undefined {
  return TEST_SECRETS.find((k) => k.provider === provider && k.secret === secret);
}
