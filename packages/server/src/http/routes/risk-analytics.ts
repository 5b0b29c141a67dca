import {
  Attempt, AttemptQuery, ExplainQuery, IdParams, RiskExplanation, RiskStats, SimulateBody, SimulationMeta, SimulationResult, StatsQuery,
  envelope, pageOf,
} from '@portcullis/protocol';
import { Type } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { getAttempt, listAttempts, riskStats } from '../../services/risk/analytics.js';
import { explainRisk } from '../../services/risk/explain.js';
import { simulateCandidate } from '../../services/risk/simulate.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const AttemptRecord = named('Attempt', Attempt);
const Stats = named('RiskStats', RiskStats);
const Explanation = named('RiskExplanation', RiskExplanation);
const Simulation = named('SimulationResult', SimulationResult);

/** The decision log, statistics, explanation and simulation (DESIGN §15), all `risk:read`: none of them changes anything. */
export async function riskAnalyticsRoutes(app: App, deps: Deps): Promise<void> {
  const common = { tags: ['risk'], security: bearerSecurity };
  const read = requireScopes(deps, 'risk:read');

  app.get('/api/v1/risk/attempts', {
    preHandler: read,
    schema: { ...common, operationId: 'listAttempts', description: 'Evaluated password sign-in attempts, newest first.', querystring: AttemptQuery, response: { 200: pageOf(AttemptRecord), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return listAttempts(deps, ctx, request.query);
  });
  app.get('/api/v1/risk/attempts/:id', { preHandler: read, schema: { ...common, operationId: 'getAttempt', params: IdParams, response: { 200: envelope(AttemptRecord), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await getAttempt(deps, ctx, request.params.id) };
  });
  app.get('/api/v1/risk/stats', {
    preHandler: read,
    schema: { ...common, operationId: 'getRiskStats', description: 'Default: the last 24 hours in hour buckets. At most 31 days; minute buckets at most 1 day.', querystring: StatsQuery, response: { 200: envelope(Stats), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await riskStats(deps, ctx, request.query) };
  });
  app.get('/api/v1/risk/explain', {
    preHandler: read,
    schema: { ...common, operationId: 'explainRisk', description: 'What a sign-in would get now (an ordinary browser assumed), without counting one.', querystring: ExplainQuery, response: { 200: envelope(Explanation), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await explainRisk(deps, ctx, request.query) };
  });
  app.post('/api/v1/risk/policy/simulate', {
    preHandler: read,
    schema: {
      ...common, operationId: 'simulateRiskPolicy', description: 'Replays the newest attempts of the window (default 7 days, at most 31, at most 100,000 attempts) with a candidate policy. Never changes the policy.',
      body: named('SimulateBody', SimulateBody), response: { 200: Type.Object({ data: Simulation, meta: SimulationMeta }), ...errorResponses },
    },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return simulateCandidate(deps, ctx, request.body);
  });
}
