import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { AuditChainMac } from '../../ports/audit-chain.js';

/** HKDF label: a new version gets a new label, so keys of two schemes never coincide. */
export const AUDIT_CHAIN_LABEL = 'portcullis audit chain v1';

/**
 * Per-tenant chain keys, HKDF-SHA256(master key, info = label ‖ 0x00 ‖ tenant id). Derived once per
 * tenant and cached as a KeyObject: appends sit on the group-commit hot path, so a row costs one HMAC.
 */
export function createAuditChainMac(masterKey: Buffer): AuditChainMac {
  if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
  const keys = new Map<string, KeyObject>();
  const keyFor = (tenantId: string): KeyObject => {
    let key = keys.get(tenantId);
    if (!key) {
      const info = Buffer.concat([Buffer.from(AUDIT_CHAIN_LABEL), Buffer.from([0]), Buffer.from(tenantId)]);
      key = createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32)));
      // Bounded so a flood of tenant ids cannot grow memory without end; re-deriving costs microseconds.
      if (keys.size >= 10_000) keys.delete(keys.keys().next().value!);
      keys.set(tenantId, key);
    }
    return key;
  };
  return { mac: (tenantId, message) => createHmac('sha256', keyFor(tenantId)).update(message).digest('hex') };
}
