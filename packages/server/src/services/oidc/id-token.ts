import type { AuthCodeRecord, TenantRecord, UserRecord } from '../../ports/store.js';
import type { Deps } from '../deps.js';

/** `typ` of an ID token: plain JWT, so it never passes where an access token (`at+jwt`) is expected. */
const ID_TOKEN_TYP = 'JWT';

/** OIDC Core §2 claims; `aud` is the client, so an ID token is no bearer for any API here. */
export async function signIdToken(deps: Deps, tenant: TenantRecord, input: { iss: string; clientId: string; user: UserRecord; code: AuthCodeRecord; ttlS: number }): Promise<string> {
  const nowS = Math.floor(deps.clock.now() / 1000);
  const { user, code } = input;
  return deps.keys.signDocument(tenant, ID_TOKEN_TYP, {
    iss: input.iss, sub: user.id, aud: input.clientId, iat: nowS, exp: nowS + input.ttlS, auth_time: code.authTimeS,
    ...(code.nonce !== null ? { nonce: code.nonce } : {}), amr: code.amr, sid: code.sessionId,
    ...userClaims(user),
  });
}

/**
 * The person's claims, for the ID token and userinfo. `email_verified` is true only once the store
 * records a verification (a sign-up link followed, a reset mail answered, or an operator who
 * created the user): asserting it for an address nobody confirmed would let an app link accounts
 * on a stranger's word.
 */
export function userClaims(user: UserRecord): { email: string; email_verified: boolean } {
  return { email: user.email, email_verified: typeof user.emailVerifiedAt === 'string' };
}
