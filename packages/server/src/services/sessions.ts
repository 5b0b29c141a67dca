import { PortcullisError } from '@portcullis/protocol';
import type { SessionRecord, StoreOps, TenantRecord, UserRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import type { RiskVerdict } from './risk-gate.js';
import { newId, newSecret } from '../ports/ids.js';
import { hashSecret } from '../domain/secret-hash.js';
import { isoTime } from './context.js';
import { recordEvent } from './audit.js';
import { issuerFor } from './deps.js';
import { OAuthError } from './oauth-error.js';
import { managementScopesFor } from '../domain/roles.js';
import { authenticateOidcClient } from './oidc/client-auth.js';

export interface IssuedTokens {
  sessionId: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** An admin's token names every management scope (the management API still re-reads the role on each call). */
function accessClaims(tenant: TenantRecord, config: Deps['config'], user: Pick<UserRecord, 'id' | 'roles'>, sessionId: string, amr: string[]) {
  const iss = issuerFor(config, tenant.slug);
  return { iss, sub: user.id, aud: iss, scope: ['openid', ...managementScopesFor(user.roles)].join(' '), sid: sessionId, amr };
}

async function newRefreshToken(tx: StoreOps, deps: Deps, tenantId: string, sessionId: string, expiresAt: string): Promise<string> {
  const token = newSecret('prt');
  await tx.refreshTokens.insert({ tokenHash: hashSecret(token), tenantId, sessionId, createdAt: isoTime(deps.clock.now()), expiresAt });
  return token;
}

/** Creates the session, its first refresh token and the `user.signed_in` row in one transaction: no session without its audit row. */
export async function startSession(deps: Deps, ctx: RequestContext, user: UserRecord, amr: string[], risk: RiskVerdict): Promise<IssuedTokens> {
  const now = deps.clock.now();
  const sessionId = newId('ses');
  const expiresAt = isoTime(now + deps.config.PORTCULLIS_REFRESH_TOKEN_TTL_S * 1000);
  const ttl = deps.config.PORTCULLIS_ACCESS_TOKEN_TTL_S;
  const accessToken = await deps.keys.sign(ctx.tenant, accessClaims(ctx.tenant, deps.config, user, sessionId, amr), ttl);
  const refreshToken = await deps.commit.run(async (tx) => {
    await tx.sessions.insert({ id: sessionId, tenantId: ctx.tenant.id, userId: user.id, amr, createdAt: isoTime(now), expiresAt, revokedAt: null, revokedReason: null, clientId: null, scope: null });
    const token = await newRefreshToken(tx, deps, ctx.tenant.id, sessionId, expiresAt);
    await recordEvent(tx, deps.clock, ctx, {
      type: 'user.signed_in', outcome: 'success', actor: { kind: 'user', id: user.id }, target: { kind: 'session', id: sessionId },
      data: { amr }, risk: { score: risk.score, action: risk.action, reasons: risk.reasons },
    });
    return token;
  });
  return { sessionId, userId: user.id, accessToken, refreshToken, expiresIn: ttl };
}

/** Who presents a refresh token: a client id (and a web client's secret), or nobody for first-party sessions. */
export interface RefreshClient {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

/**
 * A client's session keeps what the person granted that client, and its `client_id` claim: a refresh
 * must not widen it to the management scopes an admin's own sign-in carries.
 */
async function refreshedClaims(deps: Deps, ctx: RequestContext, session: SessionRecord) {
  if (session.clientId) {
    const iss = issuerFor(deps.config, ctx.tenant.slug);
    return { iss, sub: session.userId, aud: iss, scope: session.scope ?? 'openid', sid: session.id, amr: session.amr, client_id: session.clientId };
  }
  // The roles as they are now: a refresh after a demotion must not mint the old scopes again.
  const roles = (await deps.store.users.byId(ctx.tenant.id, session.userId))?.roles ?? [];
  return accessClaims(ctx.tenant, deps.config, { id: session.userId, roles }, session.id, session.amr);
}

/**
 * Refresh-token rotation: each token works once. A second use means it was stolen (or the client
 * is broken): the whole session dies, so the thief's fresh tokens die with it.
 *
 * A token from the code flow is bound to its client (RFC 6749 §6): a web client authenticates, a
 * spa names itself, and any other client, or none, gets `invalid_grant` without spending it (the
 * transaction rolls back). First-party sessions (/api/v1/auth/login) have no client and take none.
 */
export async function refreshSession(deps: Deps, ctx: RequestContext, refreshToken: string, client: RefreshClient = {}): Promise<IssuedTokens> {
  const nowIso = isoTime(deps.clock.now());
  const app = client.clientId ? await authenticateOidcClient(deps, ctx, client.clientId, client.clientSecret, 'refresh_token') : undefined;
  const result = await deps.store.transaction(async (tx) => {
    const use = await tx.refreshTokens.use(ctx.tenant.id, hashSecret(refreshToken), nowIso);
    if (use.outcome === 'unknown' || !use.sessionId) return { kind: 'invalid' as const };
    const session = await tx.sessions.byId(ctx.tenant.id, use.sessionId);
    if (!session) return { kind: 'invalid' as const };
    if (use.outcome === 'reused') {
      if (await tx.sessions.revoke(ctx.tenant.id, session.id, nowIso, 'refresh_token_reuse')) {
        await recordEvent(tx, deps.clock, ctx, {
          type: 'user.session_revoked', outcome: 'success', actor: { kind: 'system', id: null },
          target: { kind: 'session', id: session.id }, data: { reason: 'refresh_token_reuse', user_id: session.userId },
        });
      }
      return { kind: 'reused' as const };
    }
    if ((session.clientId ?? null) !== (app?.id ?? null)) throw new OAuthError('invalid_grant', 'The refresh token was not issued to this client.');
    if (session.revokedAt || session.expiresAt <= nowIso) return { kind: 'invalid' as const };
    const token = await newRefreshToken(tx, deps, ctx.tenant.id, session.id, session.expiresAt);
    return { kind: 'rotated' as const, session, token };
  });
  if (result.kind !== 'rotated') throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or already used.');
  const ttl = deps.config.PORTCULLIS_ACCESS_TOKEN_TTL_S;
  const { session } = result;
  const accessToken = await deps.keys.sign(ctx.tenant, await refreshedClaims(deps, ctx, session), ttl);
  return { sessionId: session.id, userId: session.userId, accessToken, refreshToken: result.token, expiresIn: ttl };
}

/** Logout with a user access token: revokes its session (and so every refresh token of it). */
export async function endSession(deps: Deps, ctx: RequestContext, bearer: string | undefined): Promise<void> {
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const claims = bearer ? await deps.keys.verify(ctx.tenant, bearer, iss, iss) : null;
  if (!claims || typeof claims.sid !== 'string' || typeof claims.sub !== 'string') throw new PortcullisError('unauthorized');
  const sid = claims.sid;
  const userId = claims.sub;
  await deps.store.transaction(async (tx) => {
    if (!(await tx.sessions.revoke(ctx.tenant.id, sid, isoTime(deps.clock.now()), 'logout'))) return;
    await recordEvent(tx, deps.clock, ctx, { type: 'user.signed_out', outcome: 'success', actor: { kind: 'user', id: userId }, target: { kind: 'session', id: sid } });
  });
}
