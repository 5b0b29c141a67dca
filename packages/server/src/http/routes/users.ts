import type { FastifyInstance } from 'fastify';
import { CreateUserBody, IdParams, ListQuery, PatchUserBody, User, envelope, pageOf } from '@portcullis/protocol';
import type { Static } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { createUser, deleteUser, getUser, listUsers, updateUser, userView } from '../../services/users.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';

type Id = Static<typeof IdParams>;

export async function userRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const common = { tags: ['users'], security: bearerSecurity };
  app.get('/api/v1/users', {
    preHandler: requireScopes(deps, 'users:read'),
    schema: { ...common, querystring: ListQuery, response: { 200: pageOf(User), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    const q = request.query as Static<typeof ListQuery>;
    return listUsers(deps, ctx, q.cursor, q.limit ?? 50);
  });
  app.post('/api/v1/users', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { ...common, body: CreateUserBody, response: { 201: envelope(User), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    return reply.code(201).send({ data: await createUser(deps, ctx, actor, request.body as Static<typeof CreateUserBody>) });
  });
  app.get('/api/v1/users/:id', {
    preHandler: requireScopes(deps, 'users:read'),
    schema: { ...common, params: IdParams, response: { 200: envelope(User), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: userView(await getUser(deps, ctx, (request.params as Id).id)) };
  });
  app.patch('/api/v1/users/:id', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { ...common, params: IdParams, body: PatchUserBody, response: { 200: envelope(User), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updateUser(deps, ctx, actor, (request.params as Id).id, request.body as Static<typeof PatchUserBody>) };
  });
  app.delete('/api/v1/users/:id', {
    preHandler: requireScopes(deps, 'users:write'),
    schema: { ...common, params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteUser(deps, ctx, actor, (request.params as Id).id);
    return reply.code(204).send();
  });
}
