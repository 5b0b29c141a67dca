import { CreateFeedBody, FeedView, IdParams, IpInsight, IpParams, RiskPolicyInput, RiskPolicyView, envelope } from '@portcullis/protocol';
import { Type } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { policyView, updatePolicy } from '../../services/risk/policy.js';
import { clearIpFailures, ipInsight, unlockUser } from '../../services/risk/insight.js';
import { createFeed, deleteFeed, listFeeds } from '../../services/risk/feeds.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const PolicyView = named('RiskPolicyView', RiskPolicyView);
const Feed = named('Feed', FeedView);

export async function riskRoutes(app: App, deps: Deps): Promise<void> {
  const common = { tags: ['risk'], security: bearerSecurity };
  const read = requireScopes(deps, 'risk:read');
  const write = requireScopes(deps, 'risk:write');

  app.get('/api/v1/risk/policy', { preHandler: read, schema: { ...common, operationId: 'getRiskPolicy', response: { 200: envelope(PolicyView), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: policyView(ctx.tenant) };
  });
  // The body is validated by `resolvePolicy` (every bad field at once, cross-field rules), not by
  // the route schema: Ajv would drop or default fields before the policy's own checks saw them.
  // The OpenAPI document still shows its shape (RiskPolicyInput).
  app.put('/api/v1/risk/policy', {
    preHandler: write,
    config: { documentedBody: named('RiskPolicyInput', { ...RiskPolicyInput, description: 'A partial policy document (DESIGN §7): omitted fields take their defaults, `secret` is write-only.' }) },
    schema: { ...common, operationId: 'updateRiskPolicy', description: 'Omitted fields take their defaults; `secret` is write-only.', body: Type.Object({}, { additionalProperties: true }), response: { 200: envelope(PolicyView), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updatePolicy(deps, ctx, actor, request.body) };
  });

  app.get('/api/v1/risk/feeds', { preHandler: read, schema: { ...common, operationId: 'listFeeds', response: { 200: envelope(Type.Array(Feed)), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await listFeeds(deps, ctx) };
  });
  app.post('/api/v1/risk/feeds', { preHandler: write, schema: { ...common, operationId: 'createFeed', body: named('CreateFeedBody', CreateFeedBody), response: { 201: envelope(Feed), ...errorResponses } } }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    return reply.code(201).send({ data: await createFeed(deps, ctx, actor, request.body) });
  });
  app.delete('/api/v1/risk/feeds/:id', { preHandler: write, schema: { ...common, operationId: 'deleteFeed', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteFeed(deps, ctx, actor, request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/api/v1/risk/ips/:ip', { preHandler: read, schema: { ...common, operationId: 'getIpInsight', params: IpParams, response: { 200: envelope(named('IpInsight', IpInsight)), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await ipInsight(deps, ctx, request.params.ip) };
  });
  app.delete('/api/v1/risk/ips/:ip/failures', { preHandler: write, schema: { ...common, operationId: 'clearIpFailures', params: IpParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await clearIpFailures(deps, ctx, actor, request.params.ip);
    return reply.code(204).send(null);
  });

  app.post('/api/v1/users/:id/unlock', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { tags: ['users'], operationId: 'unlockUser', security: bearerSecurity, params: IdParams, response: { 200: envelope(Type.Object({ locks_lifted: Type.Integer() })), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await unlockUser(deps, ctx, actor, request.params.id) };
  });
}
