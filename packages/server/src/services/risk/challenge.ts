import { PortcullisError, type RiskPolicy } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { SignInAttempt } from '../risk-gate.js';
import type { AuditEntry } from '../audit.js';
import { captchaSecret } from './policy.js';
import { altchaDetails } from '../captcha/altcha.js';
import { effectiveCaptcha } from '../captcha/test-mode.js';

export type ChallengeResult = { kind: 'passed' } | { kind: 'email_otp'; reason: string };

/** Retry-After for `captcha_unavailable`: the breaker's open time, when a retry can succeed. */
const OUTAGE_RETRY_S = 30;

/**
 * The captcha step (DESIGN §5 step 4, §6): no token → `captcha_required`; a token → verified before
 * any hash; the provider down → fail closed, or the tenant's email-code fallback. Every outcome is audited.
 */
export async function passChallenge(deps: Deps, attempt: SignInAttempt, policy: RiskPolicy, risk: AuditEntry['risk']): Promise<ChallengeResult> {
  const { ctx } = attempt;
  const { captcha, testSecret, testMode } = effectiveCaptcha(deps.config, policy.captcha);
  const audit = (entry: Omit<AuditEntry, 'actor' | 'target' | 'risk'>) => deps.auditWriter.record(ctx, {
    ...entry, actor: { kind: 'user', id: null }, target: { kind: 'account', id: null }, risk,
  });
  if (!captcha.provider || (captcha.provider !== 'altcha' && (!captcha.site_key || (captcha.secret === null && testSecret === null)))) {
    // A challenge nobody can be shown cannot be passed: without a configured provider the engine fails closed.
    await audit({ type: 'user.signed_in.failed', outcome: 'denied', data: { error: 'sign_in_denied', email: attempt.email, why: 'challenge_without_captcha_provider' } });
    throw new PortcullisError('sign_in_denied');
  }
  // DESIGN §16: while the provider is down here, a tenant that chose `pow` asks for proof of work instead.
  const powFallback = captcha.provider !== 'altcha' && captcha.outage_fallback === 'pow' && deps.captcha.providerDown(captcha);
  const details = captcha.provider === 'altcha' || (powFallback && attempt.captcha?.provider !== captcha.provider)
    ? altchaDetails(deps, ctx, powFallback, attempt.action)
    : { provider: captcha.provider, site_key: captcha.site_key, action: attempt.action ?? 'login' };
  if (!attempt.captcha) {
    await audit({ type: 'captcha.required', outcome: 'denied', data: { provider: details.provider, email: attempt.email, ...(powFallback ? { fallback: true } : {}) } });
    throw new PortcullisError('captcha_required', { details });
  }
  const result = await deps.captcha.check({
    tenantId: ctx.tenant.id, policy: captcha, secret: testSecret ?? captchaSecret(deps, policy) ?? '', answer: attempt.captcha, remoteIp: ctx.ip,
    action: attempt.action ?? 'login', powFallback: powFallback && attempt.captcha.provider === 'altcha', testMode,
  });
  attempt.log?.captcha(result);
  switch (result.kind) {
    case 'passed':
      await audit({ type: 'captcha.passed', outcome: 'success', data: { provider: attempt.captcha.provider, hostname: result.hostname, score: result.score, latency_ms: result.latencyMs } });
      return { kind: 'passed' };
    case 'failed':
      await audit({ type: 'captcha.failed', outcome: 'failure', data: { provider: attempt.captcha.provider, reason: result.reason, error_codes: result.codes, email: attempt.email } });
      throw new PortcullisError('captcha_invalid', { details: { ...details, reason: result.reason } });
    case 'misconfigured':
      await audit({ type: 'captcha.misconfigured', outcome: 'failure', data: { provider: captcha.provider, error_codes: result.codes } });
      return outage(policy, 'misconfigured');
    case 'unreachable':
      await audit({ type: 'captcha.provider_unreachable', outcome: 'failure', data: { provider: captcha.provider, error_class: result.errorClass, latency_ms: result.latencyMs, circuit_open: result.circuitOpen } });
      if (captcha.outage_fallback === 'pow') {
        // No mailbox needed: the person solves a proof of work we issue and verify ourselves.
        throw new PortcullisError('captcha_required', { details: altchaDetails(deps, ctx, true, attempt.action) });
      }
      return outage(policy, result.errorClass);
  }
}

function outage(policy: RiskPolicy, reason: string): ChallengeResult {
  if (policy.captcha.outage_fallback === 'email_otp') return { kind: 'email_otp', reason: `captcha_${reason === 'misconfigured' ? 'misconfigured' : 'unavailable'}` };
  throw new PortcullisError('captcha_unavailable', { details: { retry_after_s: OUTAGE_RETRY_S } });
}
