import type { ErrorCode, PortcullisError } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';

/** The engine's refusals: answers given without a password hash, which a flood earns by the thousand. */
const REFUSALS: ReadonlySet<ErrorCode> = new Set(['captcha_required', 'captcha_invalid', 'captcha_unavailable', 'account_locked', 'rate_limited', 'sign_in_denied']);

/**
 * Holds a sign-in refusal until the refusal budget gives it a turn (services/refusal-budget.ts),
 * and remembers an address blocked as a whole (`rate_limited`), which its next attempts are told
 * before their bodies are read. The answer itself is unchanged: it is
 * the engine's, audited and in the decision log like any other; it only comes later.
 */
export async function awaitRefusalTurn(deps: Deps, ctx: RequestContext, error: PortcullisError): Promise<void> {
  if (!REFUSALS.has(error.code)) return;
  const now = deps.clock.now();
  const retry = error.details?.['retry_after_s'];
  if (error.code === 'rate_limited' && typeof retry === 'number') deps.refusals.block(ctx.tenant.id, ctx.ip, now + retry * 1000, now);
  if (ctx.refusalTurnTaken) return;
  const turn = deps.refusals.turn();
  if (turn === true) return;
  deps.metrics.refusalBudget.inc({ result: (await turn) ? 'waited' : 'over_wait' });
}
