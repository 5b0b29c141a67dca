import {
  Application, ApplicationWithSecret, CreateApplicationBody, IdParams, ListQuery, PatchApplicationBody, RotateSecretBody, envelope, pageOf,
} from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import {
  applicationView, createApplication, deleteApplication, getApplication, listApplications, rotateSecret, updateApplication,
} from '../../services/applications.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const AppSchema = named('Application', Application);
const WithSecret = named('ApplicationWithSecret', ApplicationWithSecret);

export async function applicationRoutes(app: App, deps: Deps): Promise<void> {
  const common = { tags: ['applications'], security: bearerSecurity };
  const read = requireScopes(deps, 'applications:read');
  const write = requireScopes(deps, 'applications:write');
  app.get('/api/v1/applications', {
    preHandler: read, schema: { ...common, operationId: 'listApplications', querystring: ListQuery, response: { 200: pageOf(AppSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return listApplications(deps, ctx, request.query.cursor, request.query.limit ?? 50);
  });
  app.post('/api/v1/applications', {
    preHandler: write,
    schema: { ...common, operationId: 'createApplication', body: named('CreateApplicationBody', CreateApplicationBody), response: { 201: envelope(WithSecret), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    reply.header('Cache-Control', 'no-store');
    return reply.code(201).send({ data: await createApplication(deps, ctx, actor, request.body) });
  });
  app.get('/api/v1/applications/:id', {
    preHandler: read, schema: { ...common, operationId: 'getApplication', params: IdParams, response: { 200: envelope(AppSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: applicationView(await getApplication(deps, ctx, request.params.id)) };
  });
  app.patch('/api/v1/applications/:id', {
    preHandler: write,
    schema: { ...common, operationId: 'updateApplication', params: IdParams, body: named('PatchApplicationBody', PatchApplicationBody), response: { 200: envelope(AppSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updateApplication(deps, ctx, actor, request.params.id, request.body) };
  });
  app.delete('/api/v1/applications/:id', {
    preHandler: write, schema: { ...common, operationId: 'deleteApplication', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteApplication(deps, ctx, actor, request.params.id);
    return reply.code(204).send(null);
  });
  app.post('/api/v1/applications/:id/rotate-secret', {
    // The body is optional: a bare `POST …/rotate-secret` (no body, no content type) rotates with the default overlap.
    preValidation: async (request) => { request.body ??= {}; },
    preHandler: write,
    schema: { ...common, operationId: 'rotateApplicationSecret', params: IdParams, body: named('RotateSecretBody', RotateSecretBody), response: { 200: envelope(WithSecret), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    reply.header('Cache-Control', 'no-store');
    return { data: await rotateSecret(deps, ctx, actor, request.params.id, request.body?.overlap_s) };
  });
}
