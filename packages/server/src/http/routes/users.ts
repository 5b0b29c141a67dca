import { CreateUserBody, IdParams, ListQuery, PatchUserBody, User, envelope, pageOf } from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { createUser, deleteUser, getUser, listUsers, updateUser, userView } from '../../services/users.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const UserSchema = named('User', User);

export async function userRoutes(app: App, deps: Deps): Promise<void> {
  const common = { tags: ['users'], security: bearerSecurity };
  app.get('/api/v1/users', {
    preHandler: requireScopes(deps, 'users:read'),
    schema: { ...common, operationId: 'listUsers', querystring: ListQuery, response: { 200: pageOf(UserSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return listUsers(deps, ctx, request.query.cursor, request.query.limit ?? 50);
  });
  app.post('/api/v1/users', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { ...common, operationId: 'createUser', body: named('CreateUserBody', CreateUserBody), response: { 201: envelope(UserSchema), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    return reply.code(201).send({ data: await createUser(deps, ctx, actor, request.body) });
  });
  app.get('/api/v1/users/:id', {
    preHandler: requireScopes(deps, 'users:read'),
    schema: { ...common, operationId: 'getUser', params: IdParams, response: { 200: envelope(UserSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: userView(await getUser(deps, ctx, request.params.id)) };
  });
  app.patch('/api/v1/users/:id', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { ...common, operationId: 'updateUser', params: IdParams, body: named('PatchUserBody', PatchUserBody), response: { 200: envelope(UserSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updateUser(deps, ctx, actor, request.params.id, request.body) };
  });
  app.delete('/api/v1/users/:id', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { ...common, operationId: 'deleteUser', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteUser(deps, ctx, actor, request.params.id);
    return reply.code(204).send(null);
  });
}
