import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { policyOf } from '../../services/risk/policy.js';
import { hostedPageCsp } from '../../domain/csp.js';
import { renderAccountPage, type AccountPage } from '../pages/account-page.js';
import { requestContext } from '../context.js';

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) });

/** `GET /verify-email` and `/reset-password` (and under `/tenants/<slug>/`): the pages mailed links open, with the hosted page's CSP. */
export async function accountPageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  for (const page of ['verify-email', 'reset-password'] as const satisfies readonly AccountPage[]) {
    for (const path of [`/${page}`, `/tenants/:slug/${page}`]) {
      app.get(path, { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) => {
        const ctx = await requestContext(deps, request);
        const nonce = randomBytes(16).toString('base64');
        return reply.type('text/html; charset=utf-8').headers({
          'Content-Security-Policy': hostedPageCsp(policyOf(ctx.tenant).policy.captcha, nonce), 'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
        }).send(renderAccountPage({ page, nonce, tenant: ctx.tenant.slug }));
      });
    }
  }
}
