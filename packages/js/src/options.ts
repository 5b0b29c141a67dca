import type { CaptchaProvider } from '@portcullis/protocol';

/** A captcha provider Portcullis supports (DESIGN §6): the protocol's list. */
export type CaptchaProviderName = CaptchaProvider;

/** What the email-code prompt is told (`details` of `email_otp_required`). */
export interface EmailCodeInfo {
  challengeId: string;
  expiresIn: number;
  reason: string;
}

/** Options of {@link AuthClient}; every one has a default that works on the hosted page. */
export interface AuthClientOptions {
  /** Portcullis origin (and path prefix); default `''`, the page's own origin. */
  baseUrl?: string;
  /** Tenant slug, sent as `X-Tenant` when set (needed when the host does not identify the tenant). */
  tenant?: string;
  /** Where captcha widgets render; default: a built-in accessible `<dialog>`. */
  captchaContainer?: HTMLElement | (() => HTMLElement);
  /** Provider script URLs (the tenant's `script_url`, e.g. the emulator); default: the real providers. */
  scriptUrls?: Partial<Record<CaptchaProviderName, string>>;
  /** Asks the user for the emailed code; default: a built-in accessible prompt dialog. */
  onEmailCode?: (info: EmailCodeInfo) => Promise<string>;
  /** A widget that has not rendered after this long is reported as `captcha_blocked`; default 10000. */
  renderTimeoutMs?: number;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
  /** Send device signals with sign-in (DESIGN §7); default true. Without them the risk engine trusts the device less. */
  collectDevice?: boolean;
}

/** A signed-in session, held in memory only. `expiresAt` is the access token's expiry in epoch ms. */
export interface Session {
  id: string;
  userId: string;
  accessToken: string;
  expiresAt: number;
}
