import type { Device } from '@portcullis/protocol';
import type { AuthClientOptions, CaptchaProviderName, EmailCodeInfo } from './options.js';

/** What `captcha_required` / `captcha_invalid` ask for (`details: {provider, site_key, action}`). */
export interface CaptchaChallenge {
  provider: CaptchaProviderName;
  siteKey: string;
  action: string;
  /** Provider `altcha`: where the widget fetches its proof-of-work challenge (DESIGN §16). */
  challengeUrl?: string;
}

/** A rendered widget. `token()` waits for the next token; `reset()` makes the spent one go away. */
export interface CaptchaWidget {
  token(): Promise<string>;
  reset(): void;
  close(): void;
}

/**
 * Loads a provider and renders its widget. The browser implementation lives in
 * `captcha/browser-renderer.ts`; tests inject a fake through {@link InternalOptions}.
 */
export interface CaptchaRenderer {
  open(challenge: CaptchaChallenge): Promise<CaptchaWidget>;
}

/** The email-code prompt; `retry` is set after a wrong code (the built-in prompt says so). */
export type EmailCodeAsker = (info: EmailCodeInfo, retry?: { attemptsLeft: number }) => Promise<string>;

/**
 * Seams for tests, deliberately absent from the public {@link AuthClientOptions} type: pass
 * them in the same options object (`new AuthClient(options as AuthClientOptions)`).
 */
export interface InternalOptions extends AuthClientOptions {
  captchaRenderer?: CaptchaRenderer;
  collectDeviceData?: () => Promise<Device>;
  now?: () => number;
  /** Where the redirect flow keeps state, nonce and verifier; default `sessionStorage`. */
  redirectStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** How the redirect flow leaves the page; default `location.assign`. */
  navigate?: (url: string) => void;
}
