import { Type } from 'typebox';
import { Identifier } from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { validateAuthorize } from '../../services/oidc/authorize-request.js';
import { completeAuthorization } from '../../services/oidc/complete.js';
import { endSessionFromHint } from '../../services/oidc/logout.js';
import { requestContext } from '../context.js';
import { oauthErrorResponses } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';
import { hostedPage, sendHostedPage } from './hosted-page.js';
import { authorizeHandoff } from './authorize-handoff.js';

const opt = (maxLength: number) => Type.Optional(Identifier({ maxLength }));

// Unknown parameters (prompt, ui_locales, …) are ignored, as OIDC Core §3.1.2.1 asks.
const AuthorizeQuery = Type.Object({
  response_type: opt(64), client_id: opt(128), redirect_uri: opt(2048), scope: opt(1024), state: opt(1024), nonce: opt(512),
  code_challenge: opt(128), code_challenge_method: opt(16),
}, { additionalProperties: true });

const CompleteBody = Type.Object({
  request: Type.String({ minLength: 1, maxLength: 8192 }), access_token: Type.String({ minLength: 1, maxLength: 8192 }),
}, { additionalProperties: false });
const CompleteResponse = Type.Object({ redirect_to: Type.String() });

const LogoutQuery = Type.Object({
  id_token_hint: Type.Optional(Type.String({ maxLength: 8192 })), post_logout_redirect_uri: opt(2048), state: opt(1024), client_id: opt(128),
}, { additionalProperties: true });

const SIGNED_OUT = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><main><h1>You are signed out</h1><p>You can close this tab.</p></main></body></html>';

/**
 * The OIDC code flow's browser endpoints (DESIGN §19): `authorize` shows the hosted sign-in page
 * for a valid request, `authorize/complete` turns the page's fresh session into a code, `logout`
 * ends a session for an app. Also under the issuer path, as discovery advertises them.
 */
export async function authorizeRoutes(app: App, deps: Deps): Promise<void> {
  const tags = ['oauth2'];
  for (const [prefix, suffix] of [['', ''], ['/tenants/:slug', 'AtIssuer']] as const) {
    app.get(`${prefix}/oauth2/authorize`, {
      config: { envelope: 'oauth' },
      schema: { tags, operationId: `authorize${suffix}`, summary: 'OIDC authorization endpoint (code + PKCE)', querystring: AuthorizeQuery, response: oauthErrorResponses },
    }, async (request, reply) => {
      const ctx = await requestContext(deps, request);
      const outcome = await validateAuthorize(deps, ctx, request.query);
      if (outcome.kind === 'redirect') return reply.header('Cache-Control', 'no-store').redirect(outcome.location, 302);
      return sendHostedPage(reply, await hostedPage(deps, request, await authorizeHandoff(deps, ctx, outcome, prefix !== '')));
    });
    app.post(`${prefix}/oauth2/authorize/complete`, {
      config: { envelope: 'oauth' },
      schema: {
        tags, operationId: `completeAuthorization${suffix}`, summary: 'Turn the hosted page\'s fresh session into an authorization code',
        body: named('CompleteAuthorizationBody', CompleteBody), response: { 200: named('CompleteAuthorizationResponse', CompleteResponse), ...oauthErrorResponses },
      },
    }, async (request, reply) => {
      const ctx = await requestContext(deps, request);
      const { redirectTo } = await completeAuthorization(deps, ctx, { request: request.body.request, accessToken: request.body.access_token });
      reply.header('Cache-Control', 'no-store');
      return { redirect_to: redirectTo };
    });
    app.get(`${prefix}/oauth2/logout`, {
      config: { envelope: 'oauth' },
      schema: { tags, operationId: `endSession${suffix}`, summary: 'RP-initiated logout (302 to a registered URI, or a signed-out page)', querystring: LogoutQuery },
    }, async (request, reply) => {
      const ctx = await requestContext(deps, request);
      const { redirectTo } = await endSessionFromHint(deps, ctx, request.query);
      reply.header('Cache-Control', 'no-store');
      if (redirectTo) return reply.redirect(redirectTo, 302);
      return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', "default-src 'none'").send(SIGNED_OUT);
    });
  }
}
