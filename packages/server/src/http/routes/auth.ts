import { EmailOtpBody, LoginBody, SignInSuccess } from '@portcullis/protocol';
import { completeEmailOtp } from '../../services/email-otp.js';
import type { Deps } from '../../services/deps.js';
import type { IssuedTokens } from '../../services/sessions.js';
import { signIn } from '../../services/sign-in.js';
import { endSession } from '../../services/sessions.js';
import { requestContext } from '../context.js';
import { errorResponses } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

export function signInBody(t: IssuedTokens) {
  return {
    data: {
      state: 'success' as const, session: { id: t.sessionId, user_id: t.userId }, access_token: t.accessToken,
      refresh_token: t.refreshToken, token_type: 'Bearer' as const, expires_in: t.expiresIn,
    },
  };
}

const Success = named('SignInSuccess', SignInSuccess);

export async function authRoutes(app: App, deps: Deps): Promise<void> {
  app.post('/api/v1/auth/login', {
    schema: { tags: ['auth'], operationId: 'signIn', summary: 'Password sign-in through the risk engine', body: named('LoginBody', LoginBody), response: { 200: Success, ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    const body = request.body;
    ctx.visitorId = body.device?.visitor_id;
    reply.header('Cache-Control', 'no-store');
    return signInBody(await signIn(deps, ctx, body));
  });

  app.post('/api/v1/auth/login/email-otp', {
    schema: { tags: ['auth'], operationId: 'completeEmailOtp', summary: 'Complete a sign-in with the emailed code (captcha outage fallback)', body: named('EmailOtpBody', EmailOtpBody), response: { 200: Success, ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    reply.header('Cache-Control', 'no-store');
    return signInBody(await completeEmailOtp(deps, ctx, request.body));
  });

  app.post('/api/v1/auth/logout', {
    schema: { tags: ['auth'], operationId: 'signOut', summary: 'Revoke the session of a user access token', response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    await endSession(deps, ctx, match?.[1]);
    return reply.code(204).send(null);
  });
}
