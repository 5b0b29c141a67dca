import type { CaptchaFailure } from '@portcullis/protocol';

/** What a proof-of-work challenge is bound to: one tenant, one action, a deadline. */
export interface PowBinding {
  tenantId: string;
  action: string;
}

/** A challenge as the ALTCHA widget reads it (JSON, sent as it is). */
export type PowChallenge = Record<string, unknown>;

export type PowVerdict = { ok: true; counter: number } | { ok: false; reason: CaptchaFailure };

/**
 * Self-issued proof-of-work challenges (DESIGN §16). Signed under a per-tenant key derived from the
 * master key, so a challenge of one tenant is worthless at another, and nothing leaves the server.
 * Single use is not the port's job: the caller claims the payload in the shared replay set.
 */
export interface PowChallenges {
  /** A challenge whose secret number lies at most `maxNumber`, valid until `expiresAtMs`. */
  issue(binding: PowBinding, work: { maxNumber: number; expiresAtMs: number }): Promise<PowChallenge>;
  /** Checks a solved payload (the widget's base64 string): signature, expiry, binding, solution. */
  verify(payload: string, expect: PowBinding & { nowMs: number }): Promise<PowVerdict>;
}
