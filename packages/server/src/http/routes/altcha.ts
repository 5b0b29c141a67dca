import { Type } from 'typebox';
import { AltchaChallenge, CAPTCHA_ACTIONS } from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { issueAltchaChallenge } from '../../services/captcha/altcha.js';
import { requestContext } from '../context.js';
import { errorResponses } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const Challenge = named('AltchaChallenge', AltchaChallenge);
/** The door the challenge is for (DESIGN §19); `captcha_required.details.challenge_url` names it. */
const ChallengeQuery = Type.Object({
  action: Type.Optional(Type.Enum(CAPTCHA_ACTIONS, { default: 'login', description: 'The captcha action the challenge is bound to' })),
}, { additionalProperties: false });

/** `GET <issuer>/captcha/altcha/challenge` (and by Host / X-Tenant at the root): a proof-of-work challenge (DESIGN §16). */
export async function altchaRoutes(app: App, deps: Deps): Promise<void> {
  for (const [prefix, suffix] of [['', ''], ['/tenants/:slug', 'AtIssuer']] as const) {
    app.get(`${prefix}/captcha/altcha/challenge`, {
      schema: { tags: ['auth'], operationId: `getAltchaChallenge${suffix}`, summary: 'A proof-of-work challenge for provider altcha', querystring: ChallengeQuery, response: { 200: Challenge, ...errorResponses } },
    }, async (request, reply) => {
      const ctx = await requestContext(deps, request);
      // Each fetch is a new challenge: a cached one would be spent by the first solver.
      reply.header('Cache-Control', 'no-store');
      return issueAltchaChallenge(deps, ctx, request.query.action ?? 'login') as Promise<AltchaChallenge>;
    });
  }
}
