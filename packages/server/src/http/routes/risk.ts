import type { FastifyInstance } from 'fastify';
import { CreateFeedBody, FeedView, IdParams, IpInsight, IpParams, RiskPolicyView, envelope } from '@portcullis/protocol';
import { Type, type Static } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { policyView, updatePolicy } from '../../services/risk/policy.js';
import { clearIpFailures, ipInsight, unlockUser } from '../../services/risk/insight.js';
import { createFeed, deleteFeed, listFeeds } from '../../services/risk/feeds.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';

export async function riskRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const common = { tags: ['risk'], security: bearerSecurity };
  const read = requireScopes(deps, 'risk:read');
  const write = requireScopes(deps, 'risk:write');

  app.get('/api/v1/risk/policy', { preHandler: read, schema: { ...common, response: { 200: envelope(RiskPolicyView), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: policyView(ctx.tenant) };
  });
  // The body is validated by `resolvePolicy` (every bad field at once, cross-field rules), not by
  // the route schema: Ajv would drop or default fields before the policy's own checks saw them.
  app.put('/api/v1/risk/policy', {
    preHandler: write,
    schema: { ...common, description: 'Omitted fields take their defaults; `secret` is write-only.', body: { type: 'object', description: 'A partial policy document (DESIGN §7); see RiskPolicyView for the fields.' }, response: { 200: envelope(RiskPolicyView), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updatePolicy(deps, ctx, actor, request.body) };
  });

  app.get('/api/v1/risk/feeds', { preHandler: read, schema: { ...common, response: { 200: envelope(Type.Array(FeedView)), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await listFeeds(deps, ctx) };
  });
  app.post('/api/v1/risk/feeds', { preHandler: write, schema: { ...common, body: CreateFeedBody, response: { 201: envelope(FeedView), ...errorResponses } } }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    return reply.code(201).send({ data: await createFeed(deps, ctx, actor, request.body as CreateFeedBody) });
  });
  app.delete('/api/v1/risk/feeds/:id', { preHandler: write, schema: { ...common, params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteFeed(deps, ctx, actor, (request.params as Static<typeof IdParams>).id);
    return reply.code(204).send();
  });

  app.get('/api/v1/risk/ips/:ip', { preHandler: read, schema: { ...common, params: IpParams, response: { 200: envelope(IpInsight), ...errorResponses } } }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: await ipInsight(deps, ctx, (request.params as Static<typeof IpParams>).ip) };
  });
  app.delete('/api/v1/risk/ips/:ip/failures', { preHandler: write, schema: { ...common, params: IpParams, response: { 204: { type: 'null' }, ...errorResponses } } }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await clearIpFailures(deps, ctx, actor, (request.params as Static<typeof IpParams>).ip);
    return reply.code(204).send();
  });

  app.post('/api/v1/users/:id/unlock', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { tags: ['users'], security: bearerSecurity, params: IdParams, response: { 200: envelope(Type.Object({ locks_lifted: Type.Integer() })), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await unlockUser(deps, ctx, actor, (request.params as Static<typeof IdParams>).id) };
  });
}

