import { DEFAULT_RISK_POLICY, PortcullisError, resolvePolicy, toPolicyView, type RiskPolicy, type RiskPolicyView } from '@portcullis/protocol';
import type { TenantRecord } from '../../ports/store.js';
import type { Deps } from '../deps.js';
import type { Principal, RequestContext } from '../context.js';
import type { CidrSet } from '../../domain/ip/cidr-set.js';
import { createCidrSet } from '../../domain/ip/cidr-set.js';
import { recordEvent } from '../audit.js';

/** Where a tenant's policy lives in its settings. The captcha secret inside is sealed (AES-GCM), never plain. */
const KEY = 'risk_policy';

interface Compiled { policy: RiskPolicy; trusted: CidrSet }
const compiled = new WeakMap<object, Compiled>();

/** The tenant's effective policy and trusted-network set, parsed once per settings version. */
export function policyOf(tenant: TenantRecord): Compiled {
  const hit = compiled.get(tenant.settings);
  if (hit) return hit;
  const stored = tenant.settings[KEY];
  const resolved = stored === undefined ? undefined : resolvePolicy(stored, { currentSecret: (stored as RiskPolicy).captcha?.secret ?? null });
  const policy = resolved?.ok ? resolved.policy : DEFAULT_RISK_POLICY;
  const result = { policy, trusted: createCidrSet(policy.trusted_networks) };
  compiled.set(tenant.settings, result);
  return result;
}

/**
 * A new tenant's settings (DESIGN §16): its policy starts with provider `altcha`, which needs no
 * keys, so its first challenged sign-in is a proof of work instead of a refusal.
 */
export function newTenantSettings(): Record<string, unknown> {
  const resolved = resolvePolicy({ captcha: { provider: 'altcha' } });
  return resolved.ok ? { [KEY]: resolved.policy } : {};
}

export function policyView(tenant: TenantRecord): RiskPolicyView {
  return toPolicyView(policyOf(tenant).policy);
}

/**
 * PUT semantics: validate, fill omitted fields with defaults, keep the stored secret unless a new
 * one is given (a GET → edit → PUT round trip must not wipe it), seal the secret, audit the change.
 */
export async function updatePolicy(deps: Deps, ctx: RequestContext, actor: Principal, input: unknown): Promise<RiskPolicyView> {
  const tenant = (await deps.store.tenants.bySlug(ctx.tenant.slug)) ?? ctx.tenant;
  const currentSealed = policyOf(tenant).policy.captcha.secret;
  const result = resolvePolicy(input, { currentSecret: currentSealed });
  if (!result.ok) throw new PortcullisError('invalid_request', { details: { fields: result.fields } });
  const secret = result.policy.captcha.secret;
  const sealed = secret === null || secret === currentSealed ? secret : deps.box.seal(secret);
  const policy: RiskPolicy = { ...result.policy, captcha: { ...result.policy.captcha, secret: sealed } };
  const settings = { ...tenant.settings, [KEY]: policy };
  await deps.store.transaction(async (tx) => {
    await tx.tenants.updateSettings(tenant.id, settings);
    await recordEvent(tx, deps.clock, ctx, {
      type: 'risk.policy_updated', outcome: 'success', actor, target: { kind: 'tenant', id: tenant.id },
      data: { policy: toPolicyView(policy), secret_changed: sealed !== currentSealed },
    });
  });
  deps.tenants.forget(tenant.id);
  return toPolicyView(policy);
}

/** Opens the sealed captcha secret for a siteverify call. */
export function captchaSecret(deps: Pick<Deps, 'box'>, policy: RiskPolicy): string | null {
  return policy.captcha.secret === null ? null : deps.box.open(policy.captcha.secret);
}
