import type { FastifyInstance } from 'fastify';
import { PortcullisError, errorDetails } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import { requestContext } from './context.js';

const SIGN_IN = '/api/v1/auth/login';

/**
 * Sheds a refusal flood before its bodies are read (issue 15): the cheapest answer is the one
 * given before JSON parsing, validation and the engine. An address this process saw blocked as a
 * whole (`rate_limited`: the IP lockout) is told so again at once, with the same Retry-After.
 * An address that has not signed in successfully here lately takes a turn of the refusal budget
 * before its body is read (at once while the budget lasts; sign-in gives it back when the engine
 * allows the attempt), and past the wait bound is told 503 `service_unavailable` with
 * Retry-After. Trusted addresses go through untouched. See docs/decisions.md "Refusal budget".
 */
export function registerRefusalShed(app: FastifyInstance, deps: Deps): void {
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.url !== SIGN_IN) return;
    let ctx;
    try {
      ctx = await requestContext(deps, request);
    } catch {
      return; // an unknown tenant or address is the route's to answer, in its usual order
    }
    const now = deps.clock.now();
    const until = deps.refusals.blockedUntil(ctx.tenant.id, ctx.ip, now);
    if (until !== undefined) {
      deps.metrics.refusalBudget.inc({ result: 'shed_blocked' });
      deps.metrics.signIns.inc({ outcome: 'rate_limited' });
      throw new PortcullisError('rate_limited', { details: errorDetails.retryAfter((until - now) / 1000) });
    }
    if (deps.refusals.trusted(ctx.ip, now)) return;
    const turn = deps.refusals.turn();
    if (turn !== true && !(await turn)) {
      deps.metrics.refusalBudget.inc({ result: 'shed_overload' });
      throw new PortcullisError('service_unavailable', { message: 'Too many sign-ins are being refused; retry shortly.', details: errorDetails.retryAfter(1) });
    }
    // A client that hung up while waiting gets no engine run: its turn is the only thing it cost.
    if (request.raw.destroyed) throw new PortcullisError('service_unavailable', { details: errorDetails.retryAfter(1) });
    ctx.refusalTurnTaken = true;
  });
}
