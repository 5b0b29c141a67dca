import { Type } from 'typebox';
import type { Deps } from '../../services/deps.js';
import { userInfo } from '../../services/oidc/userinfo.js';
import { OAuthError } from '../../services/oauth-error.js';
import { requestContext } from '../context.js';
import { bearerSecurity, oauthErrorResponses } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const UserInfo = Type.Object({ sub: Type.String(), email: Type.String(), email_verified: Type.Boolean() });

/** `GET /oauth2/userinfo` (OIDC Core §5.3), at the root and under the issuer path. */
export async function userinfoRoutes(app: App, deps: Deps): Promise<void> {
  for (const [prefix, suffix] of [['', ''], ['/tenants/:slug', 'AtIssuer']] as const) {
    app.get(`${prefix}/oauth2/userinfo`, {
      config: { envelope: 'oauth' },
      schema: { tags: ['oauth2'], operationId: `getUserInfo${suffix}`, security: bearerSecurity, response: { 200: named('UserInfo', UserInfo), ...oauthErrorResponses } },
    }, async (request, reply) => {
      const ctx = await requestContext(deps, request);
      reply.header('Cache-Control', 'no-store');
      try {
        return await userInfo(deps, ctx, request.headers.authorization);
      } catch (error) {
        // RFC 6750 §3: a refused bearer says why in WWW-Authenticate too.
        if (error instanceof OAuthError && error.error === 'invalid_token') reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
        throw error;
      }
    });
  }
}
