import { PortcullisError, TenantSettings, type TenantSettingsInput } from '@portcullis/protocol';
import { Value } from 'typebox/value';
import type { TenantRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { Principal, RequestContext } from './context.js';
import { recordEvent } from './audit.js';

/** Where the settings live in the tenant's settings document (beside the risk policy). */
const KEY = 'account_settings';

const cache = new WeakMap<object, TenantSettings>();

/** The tenant's effective settings (DESIGN §19): what it stored, completed by the defaults. */
export function settingsOf(tenant: TenantRecord): TenantSettings {
  const hit = cache.get(tenant.settings);
  if (hit) return hit;
  const stored = tenant.settings[KEY];
  const doc = Value.Default(TenantSettings, structuredClone(stored ?? {})) as unknown;
  const settings = Value.Check(TenantSettings, doc) ? doc : (Value.Default(TenantSettings, {}) as TenantSettings);
  cache.set(tenant.settings, settings);
  return settings;
}

/** PUT: the schema validated the input; omitted fields keep their current values. Audited with the effective document. */
export async function updateSettings(deps: Deps, ctx: RequestContext, actor: Principal, input: TenantSettingsInput): Promise<TenantSettings> {
  const tenant = (await deps.store.tenants.bySlug(ctx.tenant.slug)) ?? ctx.tenant;
  const current = settingsOf(tenant);
  const next: TenantSettings = {
    signup: { ...current.signup, ...input.signup },
    password: { ...current.password, ...input.password },
  };
  if (!Value.Check(TenantSettings, next)) throw new PortcullisError('invalid_request', { details: { fields: [{ path: '', message: 'must be a settings document' }] } });
  await deps.store.transaction(async (tx) => {
    await tx.tenants.updateSettings(tenant.id, { ...tenant.settings, [KEY]: next });
    await recordEvent(tx, deps.clock, ctx, {
      type: 'tenant.settings_updated', outcome: 'success', actor, target: { kind: 'tenant', id: tenant.id }, data: { settings: next },
    });
  });
  deps.tenants.forget(tenant.id);
  return next;
}
