import type { CaptchaProvider } from '@portcullis/protocol';

/** Reasons a token is refused (DESIGN §4 `captcha_invalid.details.reason`). */
export type { CaptchaFailure } from '@portcullis/protocol';

/** A provider's siteverify answer as far as we could read it. */
export type SiteverifyResult =
  | { kind: 'answer'; body: Record<string, unknown>; latencyMs: number }
  | { kind: 'unreachable'; errorClass: string; latencyMs: number };

export interface SiteverifyRequest {
  provider: CaptchaProvider;
  url: string;
  secret: string;
  token: string;
  remoteIp: string;
  /** Turnstile only: the same key on the retry lets the provider answer the retry like the first call. */
  idempotencyKey: string;
  timeoutMs: number;
}

/** One HTTP call to a provider's siteverify endpoint; never throws. */
export interface SiteverifyClient {
  call(request: SiteverifyRequest): Promise<SiteverifyResult>;
}
