import {
  CreateWebhookBody, DeliveryParams, IdParams, ListQuery, PatchWebhookBody, Webhook, WebhookDelivery, WebhookWithSecret, envelope, pageOf,
} from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import {
  createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver, rotateWebhookSecret, updateWebhook, webhookView,
} from '../../services/webhooks/endpoints.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const WebhookSchema = named('Webhook', Webhook);
const WithSecret = named('WebhookWithSecret', WebhookWithSecret);
const Delivery = named('WebhookDelivery', WebhookDelivery);

/** DESIGN §17. */
export async function webhookRoutes(app: App, deps: Deps): Promise<void> {
  const common = { tags: ['webhooks'], security: bearerSecurity };
  const read = requireScopes(deps, 'webhooks:read');
  const write = requireScopes(deps, 'webhooks:write');
  app.get('/api/v1/webhooks', {
    preHandler: read, schema: { ...common, operationId: 'listWebhooks', querystring: ListQuery, response: { 200: pageOf(WebhookSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return listWebhooks(deps, ctx, request.query.cursor, request.query.limit ?? 50);
  });
  app.post('/api/v1/webhooks', {
    preHandler: write,
    schema: { ...common, operationId: 'createWebhook', body: named('CreateWebhookBody', CreateWebhookBody), response: { 201: envelope(WithSecret), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    reply.header('Cache-Control', 'no-store');
    return reply.code(201).send({ data: await createWebhook(deps, ctx, actor, request.body) });
  });
  app.get('/api/v1/webhooks/:id', {
    preHandler: read, schema: { ...common, operationId: 'getWebhook', params: IdParams, response: { 200: envelope(WebhookSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: webhookView(await getWebhook(deps, ctx, request.params.id)) };
  });
  app.patch('/api/v1/webhooks/:id', {
    preHandler: write,
    schema: { ...common, operationId: 'updateWebhook', params: IdParams, body: named('PatchWebhookBody', PatchWebhookBody), response: { 200: envelope(WebhookSchema), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updateWebhook(deps, ctx, actor, request.params.id, request.body) };
  });
  app.delete('/api/v1/webhooks/:id', {
    preHandler: write, schema: { ...common, operationId: 'deleteWebhook', params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    await deleteWebhook(deps, ctx, actor, request.params.id);
    return reply.code(204).send(null);
  });
  app.post('/api/v1/webhooks/:id/rotate-secret', {
    preHandler: write, schema: { ...common, operationId: 'rotateWebhookSecret', params: IdParams, response: { 200: envelope(WithSecret), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx, actor } = await guarded(deps, request);
    reply.header('Cache-Control', 'no-store');
    return { data: await rotateWebhookSecret(deps, ctx, actor, request.params.id) };
  });
  app.get('/api/v1/webhooks/:id/deliveries', {
    preHandler: read,
    schema: { ...common, operationId: 'listWebhookDeliveries', params: IdParams, querystring: ListQuery, response: { 200: pageOf(Delivery), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return listDeliveries(deps, ctx, request.params.id, request.query.cursor, request.query.limit ?? 50);
  });
  app.post('/api/v1/webhooks/:id/deliveries/:delivery_id/redeliver', {
    preHandler: write, schema: { ...common, operationId: 'redeliverWebhook', params: DeliveryParams, response: { 202: envelope(Delivery), ...errorResponses } },
  }, async (request, reply) => {
    const { ctx } = await guarded(deps, request);
    return reply.code(202).send({ data: await redeliver(deps, ctx, request.params.id, request.params.delivery_id) });
  });
}
