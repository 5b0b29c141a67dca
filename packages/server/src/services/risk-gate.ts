import type { CaptchaAction, CaptchaProvider, Device } from '@portcullis/protocol';
import type { RequestContext } from './context.js';
import type { AttemptHandle } from './risk/attempt-log.js';

/** The risk engine's verdict as the sign-in service sees it; reasons go to the audit log, never to the client. */
export interface RiskVerdict {
  /** `monitor:<action>` when the tenant's policy only monitors. */
  action: string;
  score: number;
  reasons: unknown[];
}

export interface SignInAttempt {
  ctx: RequestContext;
  /** Normalised email, known or not: counters for unknown emails behave as for known ones. */
  email: string;
  captcha?: { provider: CaptchaProvider; token: unknown } | undefined;
  device?: Device | undefined;
  /** The decision log's record of this attempt: told what the engine decided. */
  log?: AttemptHandle | undefined;
  /** The door this attempt came through; its captcha token must have been solved for it. Default `login`. */
  action?: CaptchaAction | undefined;
}

/** A failure slot reserved before the password hash, settled once the outcome is known. */
export interface RiskPass {
  verdict: RiskVerdict;
  /** The captcha provider was down and the tenant falls back to an emailed code (DESIGN §6). */
  stepUp?: { kind: 'email_otp'; reason: string } | undefined;
  settle(outcome: 'success' | 'failure'): Promise<void>;
}

/**
 * The seam between sign-in and the risk engine (DESIGN §5 steps 2–5). `admit` either throws the
 * refusal (`captcha_required`, `account_locked`, …) — before any hash — or returns a pass.
 */
export interface RiskGate {
  admit(attempt: SignInAttempt): Promise<RiskPass>;
}

/** No engine: every attempt is allowed. Used where the engine is switched off (benchmarks' baseline). */
export const openGate: RiskGate = {
  admit: async () => ({ verdict: { action: 'allow', score: 0, reasons: [] }, settle: async () => {} }),
};
