import { TenantSettings, TenantSettingsInput, envelope } from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { settingsOf, updateSettings } from '../../services/settings.js';
import { bearerSecurity, errorResponses, guarded, requireScopes } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

const Settings = named('TenantSettings', TenantSettings);

/** `GET/PUT /api/v1/settings` (DESIGN §19): sign-up on/off, email verification, password rules. */
export async function settingsRoutes(app: App, deps: Deps): Promise<void> {
  const common = { tags: ['settings'], security: bearerSecurity };
  app.get('/api/v1/settings', {
    preHandler: requireScopes(deps, 'settings:read'),
    schema: { ...common, operationId: 'getSettings', response: { 200: envelope(Settings), ...errorResponses } },
  }, async (request) => {
    const { ctx } = await guarded(deps, request);
    return { data: settingsOf(ctx.tenant) };
  });
  app.put('/api/v1/settings', {
    preHandler: requireScopes(deps, 'settings:write'),
    schema: { ...common, operationId: 'updateSettings', description: 'Omitted fields keep their current values.', body: named('TenantSettingsInput', TenantSettingsInput), response: { 200: envelope(Settings), ...errorResponses } },
  }, async (request) => {
    const { ctx, actor } = await guarded(deps, request);
    return { data: await updateSettings(deps, ctx, actor, request.body) };
  });
}
