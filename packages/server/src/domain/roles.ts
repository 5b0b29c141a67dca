import { MANAGEMENT_SCOPES, type ManagementScope, type UserRole } from '@portcullis/protocol';

/**
 * The management scopes a user's roles grant (DESIGN §14): an admin every scope of its tenant, a
 * plain user none. One function for the token's `scope` and for the check on each call, so what
 * a token says and what the server honours cannot drift apart.
 */
export function managementScopesFor(roles: readonly UserRole[]): ManagementScope[] {
  return roles.includes('admin') ? [...MANAGEMENT_SCOPES] : [];
}
