import { PortcullisError, type User, type UserRole } from '@portcullis/protocol';
import type { UserRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { Principal, RequestContext } from './context.js';
import { newId } from '../ports/ids.js';
import { EMAIL_SHAPE, decodeCursor, isoTime, paged, normalizeEmail } from './context.js';
import { recordEvent } from './audit.js';
import { settingsOf } from './settings.js';
import { checkNewPassword } from './password-rules.js';

export function userView(u: UserRecord): User {
  return { id: u.id, email: u.email, disabled: u.disabled, roles: [...u.roles], created_at: u.createdAt, updated_at: u.updatedAt };
}

function checkedEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!EMAIL_SHAPE.test(email)) throw new PortcullisError('invalid_request', { details: { fields: [{ path: 'email', message: 'must be an email address' }] } });
  return email;
}

async function uniqueEmail(deps: Deps, tenantId: string, email: string, exceptId?: string) {
  const existing = await deps.store.users.byEmail(tenantId, email);
  if (existing && existing.id !== exceptId) throw new PortcullisError('conflict', { message: 'A user with this email already exists.' });
}

export async function createUser(deps: Deps, ctx: RequestContext | { tenant: RequestContext['tenant'] }, actor: Principal, input: { email: string; password?: string | undefined; disabled?: boolean | undefined; roles?: UserRole[] | undefined }): Promise<User> {
  const email = checkedEmail(input.email);
  if (input.password) checkNewPassword(input.password, settingsOf(ctx.tenant).password);
  await uniqueEmail(deps, ctx.tenant.id, email);
  const now = isoTime(deps.clock.now());
  const user: UserRecord = {
    id: newId('usr'), tenantId: ctx.tenant.id, email, passwordHash: input.password ? await deps.hasher.hash(input.password) : null,
    disabled: input.disabled ?? false, roles: input.roles ?? [], createdAt: now, updatedAt: now,
  };
  const auditCtx = 'requestId' in ctx ? ctx : { tenantId: ctx.tenant.id };
  await deps.store.transaction(async (tx) => {
    await tx.users.insert(user);
    await recordEvent(tx, deps.clock, auditCtx, { type: 'user.created', outcome: 'success', actor, target: { kind: 'user', id: user.id }, data: { email, ...(user.roles.length > 0 ? { roles: user.roles } : {}) } });
  });
  return userView(user);
}

export async function getUser(deps: Deps, ctx: RequestContext, id: string): Promise<UserRecord> {
  const user = await deps.store.users.byId(ctx.tenant.id, id);
  if (!user) throw new PortcullisError('not_found', { message: 'No such user.' });
  return user;
}

export async function listUsers(deps: Deps, ctx: RequestContext, cursor: string | undefined, limit: number) {
  const rows = await deps.store.users.list(ctx.tenant.id, decodeCursor(cursor), limit + 1);
  return paged(rows, limit, userView, (row) => row.id);
}

/** Who gained or lost a role is what an auditor asks after a console takeover: the change goes into the event. */
function rolesChange(from: UserRole[], to: UserRole[] | undefined) {
  if (to === undefined) return {};
  return { roles: { from: [...from], to: [...to], added: to.filter((r) => !from.includes(r)), removed: from.filter((r) => !to.includes(r)) } };
}

/** A new password or disabling the account ends every session: whoever held the old credential is out. */
export async function updateUser(deps: Deps, ctx: RequestContext, actor: Principal, id: string, patch: { email?: string | undefined; password?: string | undefined; disabled?: boolean | undefined; roles?: UserRole[] | undefined }): Promise<User> {
  const before = await getUser(deps, ctx, id);
  const email = patch.email === undefined ? undefined : checkedEmail(patch.email);
  if (patch.password) checkNewPassword(patch.password, settingsOf(ctx.tenant).password);
  if (email) await uniqueEmail(deps, ctx.tenant.id, email, id);
  const passwordHash = patch.password ? await deps.hasher.hash(patch.password) : undefined;
  const now = isoTime(deps.clock.now());
  await deps.store.transaction(async (tx) => {
    await tx.users.update(ctx.tenant.id, id, { email, passwordHash, disabled: patch.disabled, roles: patch.roles, updatedAt: now });
    if (passwordHash || patch.disabled === true) await tx.sessions.revokeAllForUser(ctx.tenant.id, id, now, passwordHash ? 'password_changed' : 'user_disabled');
    await recordEvent(tx, deps.clock, ctx, { type: 'user.updated', outcome: 'success', actor, target: { kind: 'user', id }, data: { fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined), ...rolesChange(before.roles, patch.roles) } });
  });
  return userView(await getUser(deps, ctx, id));
}

export async function deleteUser(deps: Deps, ctx: RequestContext, actor: Principal, id: string): Promise<void> {
  const now = isoTime(deps.clock.now());
  await deps.store.transaction(async (tx) => {
    await tx.sessions.revokeAllForUser(ctx.tenant.id, id, now, 'user_deleted');
    if (!(await tx.users.delete(ctx.tenant.id, id))) throw new PortcullisError('not_found', { message: 'No such user.' });
    await recordEvent(tx, deps.clock, ctx, { type: 'user.deleted', outcome: 'success', actor, target: { kind: 'user', id } });
  });
}
