import { ANALYTICS_MAX_WINDOW_DAYS, PortcullisError, SIMULATE_MAX_ATTEMPTS, resolvePolicy, type SimulateBody } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { simulatePolicy } from '../../domain/risk/simulate.js';
import { isoTime } from '../context.js';
import { policyOf } from './policy.js';
import { windowOf } from './attempt-view.js';

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_MS = 7 * DAY_MS;

/**
 * `POST /api/v1/risk/policy/simulate`: the candidate is validated and completed exactly as a PUT
 * would, then the newest attempts of the window (at most {@link SIMULATE_MAX_ATTEMPTS}) are read in
 * one query and replayed through the pure engine. Nothing is written: the policy stays as it is.
 */
export async function simulateCandidate(deps: Deps, ctx: RequestContext, body: SimulateBody) {
  const current = policyOf(ctx.tenant).policy;
  const resolved = resolvePolicy(body.policy, { currentSecret: current.captcha.secret });
  if (!resolved.ok) {
    const fields = resolved.fields.map((f) => ({ path: f.path ? `policy.${f.path}` : 'policy', message: f.message }));
    throw new PortcullisError('invalid_request', { details: { fields } });
  }
  const { sinceMs, untilMs } = windowOf(body, deps.clock.now(), DEFAULT_WINDOW_MS, ANALYTICS_MAX_WINDOW_DAYS * DAY_MS);
  await deps.attempts.flushed();
  const rows = await deps.store.attempts.replay(ctx.tenant.id, sinceMs, untilMs, SIMULATE_MAX_ATTEMPTS + 1);
  const truncated = rows.length > SIMULATE_MAX_ATTEMPTS;
  return {
    data: simulatePolicy(truncated ? rows.slice(0, SIMULATE_MAX_ATTEMPTS) : rows, resolved.policy),
    meta: { since: isoTime(sinceMs), until: isoTime(untilMs), truncated },
  };
}
