import { AuditEvent, AuditQuery, pageOf } from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { exportAuditEvents, listAuditEvents } from '../../services/audit-query.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

export async function auditRoutes(app: App, deps: Deps): Promise<void> {
  app.get('/api/v1/audit/events', {
    preHandler: requireScopes(deps, 'audit:read'),
    schema: {
      tags: ['audit'], operationId: 'listAuditEvents', security: bearerSecurity, querystring: AuditQuery,
      description: 'Newest first. With `Accept: application/x-ndjson` every matching event is streamed, one JSON object a line.',
      response: { 200: pageOf(named('AuditEvent', AuditEvent)), ...errorResponses },
    },
  }, async (request, reply) => {
    const { ctx } = await guarded(deps, request);
    const query = request.query;
    if (request.headers.accept?.includes('application/x-ndjson')) {
      reply.hijack();
      reply.raw.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'X-Request-Id': request.id, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      for await (const event of exportAuditEvents(deps.store, ctx.tenant.id, query)) {
        if (!reply.raw.write(`${JSON.stringify(event)}\n`)) await new Promise((resolve) => reply.raw.once('drain', resolve));
      }
      reply.raw.end();
      return reply;
    }
    return listAuditEvents(deps.store, ctx.tenant.id, query);
  });
}
