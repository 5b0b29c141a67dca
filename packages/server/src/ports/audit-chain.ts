/**
 * Keys each tenant's audit chain. Links are HMAC-SHA256 under a per-tenant key derived from the
 * master key, so someone who can write the database but does not hold the master key cannot
 * rewrite a row and recompute the links after it.
 */
export interface AuditChainMac {
  /** Hex HMAC-SHA256 of `message` under the tenant's chain key. */
  mac(tenantId: string, message: string): string;
}
