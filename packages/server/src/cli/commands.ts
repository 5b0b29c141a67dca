import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateApplicationBody, CreateUserBody, PortcullisError } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import type { Parsed } from './args.js';
import type { TenantRecord } from '../ports/store.js';
import { createTenant } from '../services/tenants.js';
import { createUser } from '../services/users.js';
import { createApplication, type ApplicationInput } from '../services/applications.js';
import { checkpointedEvents, verifyAuditChain, type ChainPosition, type ChainReport } from '../services/audit-verify.js';
import { checkpointSlug, createCheckpoint, openCheckpoint, parseCheckpointFile, type Checkpoint } from '../services/audit-checkpoint.js';
import { newId } from '../adapters/crypto/random.js';
import { validateBody } from './validate.js';

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
  if (args.values.email === undefined) throw new PortcullisError('invalid_request', { message: '--email <e> is required' });
  const generated = args.values.password === undefined;
  const password = args.values.password ?? randomBytes(12).toString('base64url');
  const body = validateBody(CreateUserBody, { email: args.values.email, password, roles: args.values.admin ? ['admin' as const] : [] });
  const user = await createUser(deps, cliContext(tenant), operator, body);
  return {
    json: { user, ...(generated ? { password } : {}) },
    text: `user ${user.email} (${user.id}) in ${tenant.slug}${user.roles.length ? ` [${user.roles.join(', ')}]` : ''}${generated ? `\n  password: ${password}   (generated, shown once)` : ''}`,
  };
}

export async function appCreate(deps: Deps, args: Parsed): Promise<Output> {
  const tenant = await tenantNamed(deps, args.values.tenant);
  if (args.values.name === undefined) throw new PortcullisError('invalid_request', { message: '--name <n> is required' });
  const scopes = (args.values.scopes ?? '').split(/[\s,]+/).filter(Boolean);
  const oidc = {
    ...(args.values.type !== undefined ? { type: args.values.type } : {}),
    ...(args.values['redirect-uri'] !== undefined ? { redirect_uris: args.values['redirect-uri'] } : {}),
    ...(args.values['post-logout-redirect-uri'] !== undefined ? { post_logout_redirect_uris: args.values['post-logout-redirect-uri'] } : {}),
  };
  const app = await createApplication(deps, cliContext(tenant), operator, validateBody<ApplicationInput>(CreateApplicationBody, { name: args.values.name, scopes, ...oidc } as ApplicationInput));
  const secret = app.client_secret === undefined ? '(none: a spa is a public client)' : `${app.client_secret}   (shown once)`;
  const uris = app.redirect_uris.length > 0 ? `\n  redirect_uris: ${app.redirect_uris.join(' ')}` : '';
  return {
    json: { application: app },
    text: `application ${app.name} (${app.type})\n  client_id:     ${app.client_id}\n  client_secret: ${secret}\n  scopes:        ${app.scopes.join(' ')}${uris}`,
  };
}

export async function outbox(deps: Deps, args: Parsed): Promise<Output> {
  const tenantId = args.values.tenant ? (await tenantNamed(deps, args.values.tenant)).id : undefined;
  const messages = await deps.store.outbox.list(tenantId, 100);
  const text = messages.length === 0 ? 'outbox is empty'
    : messages.map((m) => `--- ${m.createdAt} to ${m.recipient}\nSubject: ${m.subject}\n\n${m.body}`).join('\n\n');
  return { json: { messages }, text };
}

/** A verification report under the API's snake_case names. */
function chainView(r: ChainReport, slug: string) {
  return {
    tenant_id: r.tenantId, slug, events: r.events, ok: r.ok,
    ...(r.brokenAt ? { broken_at: r.brokenAt } : {}),
    ...(r.checkpoint ? { checkpoint: { seq: r.checkpoint.seq, last_event_id: r.checkpoint.lastEventId, ok: r.checkpoint.ok, ...(r.checkpoint.reason ? { reason: r.checkpoint.reason } : {}) } } : {}),
  };
}

/** The newest checkpoint per tenant in `--checkpoint <file>` (files may be appended to); a bad signature or an unknown tenant fails the command. */
async function checkpointsFrom(deps: Deps, file: string): Promise<Map<string, ChainPosition>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PortcullisError('invalid_request', { message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
  }
  const out = new Map<string, ChainPosition>();
  for (const jws of parseCheckpointFile(text)) {
    const slug = checkpointSlug(jws);
    const tenant = await deps.store.tenants.bySlug(slug);
    const position = tenant && await openCheckpoint(deps.keys, tenant, jws);
    if (!tenant) throw new PortcullisError('tenant_not_found', { message: `checkpoint for ${slug}, but there is no tenant ${slug} (deleted or recreated?)` });
    if (!position) throw new PortcullisError('invalid_request', { message: `checkpoint for ${slug} does not verify with the tenant's signing keys` });
    // The newest checkpoint (most events, over every chain) subsumes older ones: each link depends on every entry before it.
    const known = out.get(tenant.id);
    if (!known || checkpointedEvents(known) < checkpointedEvents(position)) out.set(tenant.id, position);
  }
  return out;
}

export async function auditVerify(deps: Deps, args: Parsed): Promise<Output> {
  const tenants = args.values.tenant ? [await tenantNamed(deps, args.values.tenant)] : await deps.store.tenants.list();
  const checkpoints = args.values.checkpoint ? await checkpointsFrom(deps, args.values.checkpoint) : undefined;
  if (checkpoints && args.values.tenant && !checkpoints.has(tenants[0]!.id)) {
    throw new PortcullisError('invalid_request', { message: `${args.values.checkpoint} holds no checkpoint for ${args.values.tenant}` });
  }
  const reports: Array<{ report: ChainReport; slug: string }> = [];
  for (const t of tenants) reports.push({ report: await verifyAuditChain(deps, t.id, checkpoints?.get(t.id)), slug: t.slug });
  const ok = reports.every((r) => r.report.ok);
  const text = reports.map(({ report: r, slug }) => {
    if (!r.ok && r.brokenAt) return `BROKEN  ${slug}: at ${r.brokenAt.shard ? `shard ${r.brokenAt.shard} ` : ''}seq ${r.brokenAt.seq} (${r.brokenAt.id}): ${r.brokenAt.reason}`;
    if (!r.ok) return `BROKEN  ${slug}: checkpoint at seq ${r.checkpoint?.seq} (${r.checkpoint?.lastEventId}): ${r.checkpoint?.reason}`;
    return `ok      ${slug}: ${r.events} events, chain intact${r.checkpoint ? `, checkpoint at seq ${r.checkpoint.seq} still in place` : ''}`;
  }).join('\n') || 'no tenants';
  return { json: { ok, tenants: reports.map((r) => chainView(r.report, r.slug)) }, text, ok };
}

/** Signs each tenant's verified chain head; the output is meant for `audit verify --checkpoint <file>`, kept off this database. */
export async function auditCheckpoint(deps: Deps, args: Parsed): Promise<Output> {
  const tenants = args.values.tenant ? [await tenantNamed(deps, args.values.tenant)] : await deps.store.tenants.list();
  const checkpoints: Checkpoint[] = [];
  const broken: Array<ReturnType<typeof chainView>> = [];
  for (const t of tenants) {
    const { report, checkpoint } = await createCheckpoint(deps, t);
    if (checkpoint) checkpoints.push(checkpoint);
    else broken.push(chainView(report, t.slug));
  }
  const text = [
    ...checkpoints.flatMap((c) => [`# ${c.tenant_slug}: ${c.shards ? `${c.shards.length} chains, shard 0 at ` : ''}seq ${c.seq}, last event ${c.last_event_id ?? '(none)'}, head ${c.head}, ${c.checkpointed_at}`, c.jws]),
    ...broken.map((b) => `# BROKEN ${b.slug}: at seq ${b.broken_at?.seq} (${b.broken_at?.id}): ${b.broken_at?.reason}; not checkpointed`),
  ].join('\n') || '# no tenants';
  return { json: { ok: broken.length === 0, checkpoints, ...(broken.length > 0 ? { broken } : {}) }, text, ok: broken.length === 0 };
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
