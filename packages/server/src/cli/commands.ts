import { randomBytes } from 'node:crypto';
import { PortcullisError } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import type { Parsed } from './args.js';
import type { TenantRecord } from '../ports/store.js';
import { createTenant } from '../services/tenants.js';
import { createUser } from '../services/users.js';
import { createApplication } from '../services/applications.js';
import { verifyAuditChain, type ChainReport } from '../services/audit-query.js';
import { newId } from '../adapters/crypto/random.js';

export type Output = { json: unknown; text: string; ok?: boolean };

const operator = { kind: 'operator' as const, id: null };

async function tenantNamed(deps: Deps, slug: string | undefined): Promise<TenantRecord> {
  if (!slug) throw new PortcullisError('invalid_request', { message: '--tenant <slug> is required' });
  const tenant = await deps.store.tenants.bySlug(slug);
  if (!tenant) throw new PortcullisError('tenant_not_found', { message: `No tenant ${slug}.` });
  return tenant;
}

/** Operator context for services that audit: the CLI acts as the operator, from no network address. */
function cliContext(tenant: TenantRecord) {
  return { tenant, ip: 'cli', userAgent: 'portcullis-cli', requestId: newId('req') };
}

export async function tenantCreate(deps: Deps, args: Parsed): Promise<Output> {
  const slug = args.positionals[2];
  if (!slug) throw new PortcullisError('invalid_request', { message: 'usage: portcullis tenant create <slug> [--domain <host>]…' });
  const created = await createTenant(deps, { slug, domains: args.values.domain ?? [], allowedOrigins: args.values.origin ?? [] });
  const a = created.application;
  return {
    json: created,
    text: `tenant ${created.tenant.slug} (${created.tenant.id})\nadmin application\n  client_id:     ${a.client_id}\n  client_secret: ${a.client_secret}   (shown once)\n  scopes:        ${a.scopes.join(' ')}`,
  };
}

export async function userCreate(deps: Deps, args: Parsed): Promise<Output> {
  const tenant = await tenantNamed(deps, args.values.tenant);
  if (!args.values.email) throw new PortcullisError('invalid_request', { message: '--email <e> is required' });
  const generated = args.values.password === undefined;
  const password = args.values.password ?? randomBytes(12).toString('base64url');
  const user = await createUser(deps, cliContext(tenant), operator, { email: args.values.email, password, roles: args.values.admin ? ['admin'] : [] });
  return {
    json: { user, ...(generated ? { password } : {}) },
    text: `user ${user.email} (${user.id}) in ${tenant.slug}${user.roles.length ? ` [${user.roles.join(', ')}]` : ''}${generated ? `\n  password: ${password}   (generated, shown once)` : ''}`,
  };
}

export async function appCreate(deps: Deps, args: Parsed): Promise<Output> {
  const tenant = await tenantNamed(deps, args.values.tenant);
  if (!args.values.name) throw new PortcullisError('invalid_request', { message: '--name <n> is required' });
  const scopes = (args.values.scopes ?? '').split(/[\s,]+/).filter(Boolean);
  const app = await createApplication(deps, cliContext(tenant), operator, { name: args.values.name, scopes });
  return {
    json: { application: app },
    text: `application ${app.name}\n  client_id:     ${app.client_id}\n  client_secret: ${app.client_secret}   (shown once)\n  scopes:        ${app.scopes.join(' ')}`,
  };
}

export async function outbox(deps: Deps, args: Parsed): Promise<Output> {
  const tenantId = args.values.tenant ? (await tenantNamed(deps, args.values.tenant)).id : undefined;
  const messages = await deps.store.outbox.list(tenantId, 100);
  const text = messages.length === 0 ? 'outbox is empty'
    : messages.map((m) => `--- ${m.createdAt} to ${m.recipient}\nSubject: ${m.subject}\n\n${m.body}`).join('\n\n');
  return { json: { messages }, text };
}

export async function auditVerify(deps: Deps, args: Parsed): Promise<Output> {
  const tenants = args.values.tenant ? [await tenantNamed(deps, args.values.tenant)] : await deps.store.tenants.list();
  const reports: Array<ChainReport & { slug: string }> = [];
  for (const t of tenants) reports.push({ ...(await verifyAuditChain(deps.store, t.id)), slug: t.slug });
  const ok = reports.every((r) => r.ok);
  const text = reports.map((r) => r.ok
    ? `ok      ${r.slug}: ${r.events} events, chain intact`
    : `BROKEN  ${r.slug}: at seq ${r.brokenAt?.seq} (${r.brokenAt?.id}): ${r.brokenAt?.reason}`).join('\n') || 'no tenants';
  return { json: { ok, tenants: reports }, text, ok };
}

export async function keysRotate(deps: Deps, args: Parsed): Promise<Output> {
  const tenant = await tenantNamed(deps, args.values.tenant);
  const kid = await deps.keys.rotate(tenant);
  const jwks = await deps.keys.jwks(tenant);
  return {
    json: { tenant: tenant.slug, kid, keys: jwks.keys.map((k) => k.kid) },
    text: `tenant ${tenant.slug}: new signing key ${kid}; JWKS now lists ${jwks.keys.length} keys (older tokens keep verifying)`,
  };
}
