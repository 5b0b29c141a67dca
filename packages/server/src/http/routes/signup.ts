import {
  PasswordResetAccepted, PasswordResetBody, PasswordResetConfirmBody, PasswordResetDone, SignInSuccess, SignupAccepted, SignupBody, VerifyEmailBody,
} from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { signUp, verifyEmail } from '../../services/signup.js';
import { confirmPasswordReset, requestPasswordReset } from '../../services/password-reset.js';
import { requestContext } from '../context.js';
import { errorResponses } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';
import { signInBody } from './auth.js';

/** Sign-up, email verification and password reset (DESIGN §19): public doors, each behind the risk engine. */
export async function signupRoutes(app: App, deps: Deps): Promise<void> {
  const tags = ['auth'];
  app.post('/api/v1/auth/signup', {
    schema: { tags, operationId: 'signUp', summary: 'Create an account; the answer is the same whatever the email', body: named('SignupBody', SignupBody), response: { 202: named('SignupAccepted', SignupAccepted), ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    ctx.visitorId = request.body.device?.visitor_id;
    await signUp(deps, ctx, request.body);
    return reply.code(202).header('Cache-Control', 'no-store').send({ data: { state: 'verification_sent' as const } });
  });

  app.post('/api/v1/auth/verify-email', {
    schema: { tags, operationId: 'verifyEmail', summary: 'Spend a mailed verification link and sign in', body: named('VerifyEmailBody', VerifyEmailBody), response: { 200: named('SignInSuccess', SignInSuccess), ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    reply.header('Cache-Control', 'no-store');
    return signInBody(await verifyEmail(deps, ctx, request.body));
  });

  app.post('/api/v1/auth/password-reset', {
    schema: { tags, operationId: 'requestPasswordReset', summary: 'Mail a reset link to an existing account; always 202', body: named('PasswordResetBody', PasswordResetBody), response: { 202: named('PasswordResetAccepted', PasswordResetAccepted), ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    ctx.visitorId = request.body.device?.visitor_id;
    await requestPasswordReset(deps, ctx, request.body);
    return reply.code(202).header('Cache-Control', 'no-store').send({ data: { state: 'reset_requested' as const } });
  });

  app.post('/api/v1/auth/password-reset/confirm', {
    schema: { tags, operationId: 'confirmPasswordReset', summary: 'Set a new password with a mailed reset link; ends every session', body: named('PasswordResetConfirmBody', PasswordResetConfirmBody), response: { 200: named('PasswordResetDone', PasswordResetDone), ...errorResponses } },
  }, async (request, reply) => {
    const ctx = await requestContext(deps, request);
    await confirmPasswordReset(deps, ctx, request.body);
    reply.header('Cache-Control', 'no-store');
    return { data: { state: 'password_reset' as const } };
  });
}
