import type { FastifyInstance } from 'fastify';
import { typed } from '../typed-app.js';
import type { Deps } from '../../services/deps.js';
import { authRoutes } from './auth.js';
import { oauthRoutes } from './oauth.js';
import { wellKnownRoutes } from './well-known.js';
import { userRoutes } from './users.js';
import { applicationRoutes } from './applications.js';
import { auditRoutes } from './audit.js';
import { opsRoutes } from './ops.js';
import { riskRoutes } from './risk.js';
import { hostedPageRoutes } from './hosted-page.js';
import { riskAnalyticsRoutes } from './risk-analytics.js';
import { consoleRoutes } from './console.js';
import { authorizeRoutes } from './authorize.js';
import { userinfoRoutes } from './userinfo.js';
import { webhookRoutes } from './webhooks.js';
import { signupRoutes } from './signup.js';
import { settingsRoutes } from './settings.js';
import { accountPageRoutes } from './account-pages.js';
import { altchaRoutes } from './altcha.js';

export async function registerRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  for (const routes of [opsRoutes, wellKnownRoutes, authRoutes, oauthRoutes, userRoutes, applicationRoutes, auditRoutes, riskRoutes, riskAnalyticsRoutes, authorizeRoutes, userinfoRoutes, webhookRoutes, signupRoutes, settingsRoutes, altchaRoutes]) {
    await app.register(async (scope) => routes(typed(scope), deps));
  }
  await app.register(async (scope) => hostedPageRoutes(scope, deps));
  await app.register(async (scope) => consoleRoutes(scope, deps));
  await app.register(async (scope) => accountPageRoutes(scope, deps));
}
