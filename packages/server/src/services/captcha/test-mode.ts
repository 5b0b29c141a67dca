import type { RiskPolicy } from '@portcullis/protocol';
import { TEST_SECRETS, TEST_SITEKEYS } from '@portcullis/captcha-emulator';
import type { Config } from '../../config/schema.js';

/** The widget's own test answer (`<altcha-widget test>`): what altcha's test mode accepts. */
export const ALTCHA_TEST_PAYLOAD = Buffer.from(JSON.stringify({ challenge: null, solution: null, test: true })).toString('base64');

/** What the captcha step runs with: the stored settings, or in test mode the provider's published always-pass keys. */
export interface EffectiveCaptcha {
  captcha: RiskPolicy['captcha'];
  /** The plain secret to send to siteverify; null: open the stored one. */
  testSecret: string | null;
  testMode: boolean;
}

/**
 * `captcha.test_mode` (DESIGN §16), for CI and staging: the provider's published always-pass test
 * keys replace the tenant's. Never under NODE_ENV=production: there anyone could pass with them,
 * so the flag is ignored (fail closed) besides being refused at start by the production guard.
 */
export function effectiveCaptcha(config: Pick<Config, 'NODE_ENV'>, captcha: RiskPolicy['captcha']): EffectiveCaptcha {
  if (!captcha.test_mode || config.NODE_ENV === 'production' || captcha.provider === null) return { captcha, testSecret: null, testMode: false };
  if (captcha.provider === 'altcha') return { captcha, testSecret: null, testMode: true };
  const provider = captcha.provider;
  const siteKey = TEST_SITEKEYS.find((k) => k.provider === provider && k.behaviour !== 'block')!.sitekey;
  const secret = TEST_SECRETS.find((s) => s.provider === provider && s.behaviour === 'pass')!.secret;
  return { captcha: { ...captcha, site_key: siteKey }, testSecret: secret, testMode: true };
}
