import type { FastifyInstance } from 'fastify';
import {
  Application, ApplicationWithSecret, CreateApplicationBody, IdParams, ListQuery, PatchApplicationBody, RotateSecretBody, envelope, pageOf,
} from '@portcullis/protocol';
import type { Static } from 'typebox';
import type { Deps } from '../../services/deps.js';
import {
  applicationView, createApplication, deleteApplication, getApplication, listApplications, rotateSecret, updateApplication,
} from '../../services/applications.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';

type Id = Static<typeof IdParams>;

export async function applicationRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const common = { tags: ['applications'], security: bearerSecurity };
  const read = requireScopes(deps, 'applications:read');
  const write = requireScopes(deps, 'applications:write');
  app.get('/api/v1/applications', {
    preHandler: read, schema: { ...common, querystring: ListQuery, response: { 200: pageOf(Application), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    const q = request.query as Static<typeof ListQuery>;
    return listApplications(deps, ctx, q.cursor, q.limit ?? 50);
  });
  app.post('/api/v1/applications', {
    preHandler: write, schema: { ...common, body: CreateApplicationBody, response: { 201: envelope(ApplicationWithSecret), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    reply.header('Cache-Control', 'no-store');
    return reply.code(201).send({ data: await createApplication(deps, ctx, actor, request.body as Static<typeof CreateApplicationBody>) });
  });
  app.get('/api/v1/applications/:id', {
    preHandler: read, schema: { ...common, params: IdParams, response: { 200: envelope(Application), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: applicationView(await getApplication(deps, ctx, (request.params as Id).id)) };
  });
  app.patch('/api/v1/applications/:id', {
    preHandler: write, schema: { ...common, params: IdParams, body: PatchApplicationBody, response: { 200: envelope(Application), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updateApplication(deps, ctx, actor, (request.params as Id).id, request.body as Static<typeof PatchApplicationBody>) };
  });
  app.delete('/api/v1/applications/:id', {
    preHandler: write, schema: { ...common, params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteApplication(deps, ctx, actor, (request.params as Id).id);
    return reply.code(204).send();
  });
  app.post('/api/v1/applications/:id/rotate-secret', {
    // The body is optional: a bare `POST …/rotate-secret` (no body, no content type) rotates with the default overlap.
    preValidation: async (request) => { request.body ??= {}; },
    preHandler: write,
    schema: { ...common, params: IdParams, body: RotateSecretBody, response: { 200: envelope(ApplicationWithSecret), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    reply.header('Cache-Control', 'no-store');
    const body = (request.body ?? {}) as Static<typeof RotateSecretBody>;
    return { data: await rotateSecret(deps, ctx, actor, (request.params as Id).id, body.overlap_s) };
  });
}
