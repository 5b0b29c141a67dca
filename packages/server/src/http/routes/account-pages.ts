import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { policyOf } from '../../services/risk/policy.js';
import { settingsOf } from '../../services/settings.js';
import { hostedPageCsp } from '../../domain/csp.js';
import { renderAccountPage, type AccountPage } from '../pages/account-page.js';
import { requestContext } from '../context.js';
import { pagePrefix, providerScriptUrls, sendHostedPage } from './hosted-page.js';
import { authorizeReturn } from '../../domain/return-to.js';
import { handoffFor } from './authorize-handoff.js';

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })), return_to: Type.Optional(Type.String({ maxLength: 8192 })) });
const PAGES = ['signup', 'forgot-password', 'verify-email', 'reset-password'] as const satisfies readonly AccountPage[];

async function accountPage(deps: Deps, request: FastifyRequest, page: AccountPage) {
  const ctx = await requestContext(deps, request);
  const { captcha } = policyOf(ctx.tenant).policy;
  const settings = settingsOf(ctx.tenant);
  const nonce = randomBytes(16).toString('base64');
  // Only this tenant's authorize endpoint, as a same-origin path: anything else is dropped (no open redirect).
  const returnTo = authorizeReturn((request.query as { return_to?: string }).return_to, ctx.tenant.slug)?.path;
  // Verifying signs the person in: with the app's request at hand the page can finish it, code and all.
  const authorize = returnTo && page === 'verify-email' ? await handoffFor(deps, ctx, returnTo) : undefined;
  const html = renderAccountPage({
    ...(returnTo ? { returnTo } : {}), ...(authorize ? { authorize } : {}),
    page, nonce, tenant: ctx.tenant.slug, prefix: pagePrefix(request), scriptUrls: providerScriptUrls(captcha),
    minLength: settings.password.min_length, signupOpen: settings.signup.enabled,
  });
  return { csp: hostedPageCsp(captcha, nonce), html };
}

/**
 * `GET /signup`, `/forgot-password` (linked from /login) and `/verify-email`, `/reset-password`
 * (what mailed links open), also under `/tenants/<slug>/`: with the hosted page's CSP, which
 * names only the tenant's captcha provider. `return_to` (an app's pending `/oauth2/authorize`
 * request) is carried from forgot-password and signup through the mailed link back to that sign-in.
 */
export async function accountPageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  for (const page of PAGES) {
    for (const path of [`/${page}`, `/tenants/:slug/${page}`]) {
      app.get(path, { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) => sendHostedPage(reply, await accountPage(deps, request, page)));
    }
  }
}
