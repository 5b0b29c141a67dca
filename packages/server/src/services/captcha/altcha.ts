import type { CaptchaAction, RiskPolicy } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import { issuerFor } from '../deps.js';
import type { RequestContext } from '../context.js';
import type { PowChallenge } from '../../ports/pow.js';
import { ipReasons } from '../../domain/risk/score.js';
import { powMaxNumber } from '../../domain/captcha/pow-work.js';
import { policyOf } from '../risk/policy.js';

/** How long a challenge may be solved and spent (DESIGN §16: at most 300 s). */
export const POW_CHALLENGE_TTL_MS = 300_000;
/**
 * `details` of `captcha_required` naming altcha (DESIGN §16); `fallback` while it stands in for a
 * provider that is down. Without PORTCULLIS_PUBLIC_URL the server cannot know the URL it is reached
 * at (a second port, a proxy), so the URL is a path on the server the client is talking to. The URL
 * names the door's action (DESIGN §19): a challenge solved for sign-in cannot be spent on sign-up.
 * `login` keeps the bare URL of DESIGN §16 (the route's default).
 */
export function altchaDetails(deps: Pick<Deps, 'config'>, ctx: RequestContext, fallback: boolean, action: CaptchaAction = 'login') {
  const issuer = deps.config.PORTCULLIS_PUBLIC_URL ? issuerFor(deps.config, ctx.tenant.slug) : `/tenants/${ctx.tenant.slug}`;
  return {
    provider: 'altcha' as const, site_key: null, action,
    challenge_url: `${issuer}/captcha/altcha/challenge${action === 'login' ? '' : `?action=${action}`}`,
    ...(fallback ? { fallback: true } : {}),
  };
}

/**
 * The score the work follows: what is known of the address before any email is typed, its threat
 * feed hits (a trusted network scores 0). Counters are not read: a challenge fetch must stay cheap
 * and must not be a probe of the failure counters.
 */
export function addressScore(deps: Pick<Deps, 'reputation'>, ctx: RequestContext, policy: RiskPolicy, trusted: boolean): number {
  if (trusted) return 0;
  const reasons = ipReasons(deps.reputation.lookup(ctx.tenant.id, ctx.ip), policy.rules.ip_categories);
  return Math.min(100, reasons.reduce((sum, r) => sum + ('points' in r ? r.points : 0), 0));
}

/** `GET <issuer>/captcha/altcha/challenge[?action=…]`: a fresh challenge bound to the tenant and the door's action, its work following the address's score. */
export async function issueAltchaChallenge(deps: Deps, ctx: RequestContext, action: CaptchaAction = 'login'): Promise<PowChallenge> {
  const { policy, trusted } = policyOf(ctx.tenant);
  const score = addressScore(deps, ctx, policy, trusted.has(ctx.ip));
  const maxNumber = powMaxNumber(policy.captcha.pow.difficulty, score);
  return deps.pow.issue({ tenantId: ctx.tenant.id, action }, { maxNumber, expiresAtMs: deps.clock.now() + POW_CHALLENGE_TTL_MS });
}
