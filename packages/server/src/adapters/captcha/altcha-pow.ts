import { hkdfSync, randomInt } from 'node:crypto';
import type { PowBinding, PowChallenge, PowChallenges, PowVerdict } from '../../ports/pow.js';
import { decodeAltchaPayload } from './altcha-payload.js';
import { checkAltchaPayload, importAltchaKeys, signAltchaChallenge, type AltchaKeys } from './altcha-wire.js';

/** HKDF labels: a new scheme gets a new label, so keys of two schemes never coincide. */
export const ALTCHA_SIGNATURE_LABEL = 'portcullis altcha challenge v1';
export const ALTCHA_KEY_LABEL = 'portcullis altcha derived key v1';
/**
 * ALTCHA (PoW v2, `altcha-lib`'s wire format, see altcha-wire.ts) challenges under per-tenant
 * secrets, HKDF-SHA256(master key, info = label ‖ 0x00 ‖ tenant id). Verification is one HMAC of the
 * parameters and one of the derived key (the key signature), both compared in constant time: no
 * re-hashing, no network. The deadline and the binding travel in the signed `data`, checked against
 * our clock. The solver hashes SHA-256, which runs natively in every browser's WebCrypto.
 */
export function createAltchaPow(masterKey: Buffer): PowChallenges {
  if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
  const cache = new Map<string, AltchaKeys>();
  const derive = (label: string, tenantId: string) => Buffer.from(hkdfSync('sha256', masterKey,
    Buffer.alloc(0), Buffer.concat([Buffer.from(label), Buffer.from([0]), Buffer.from(tenantId)]), 32)).toString('hex');
  const secretsOf = (tenantId: string): AltchaKeys => {
    let s = cache.get(tenantId);
    if (!s) {
      // The hex strings are the secrets `altcha-lib` would be given; their HMAC keys are imported once here.
      s = importAltchaKeys(derive(ALTCHA_SIGNATURE_LABEL, tenantId), derive(ALTCHA_KEY_LABEL, tenantId));
      // Bounded so a flood of tenant ids cannot grow memory without end; re-deriving costs microseconds.
      if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
      cache.set(tenantId, s);
    }
    return s;
  };

  return {
    async issue(binding: PowBinding, work): Promise<PowChallenge> {
      // The secret number is drawn from the upper half: a lucky draw near 0 would cost no work.
      const counter = randomInt(Math.ceil(work.maxNumber / 2), work.maxNumber + 1);
      // Not the library's `expiresAt`: that is judged by the wall clock, ours by the injected one.
      const data = { tenant: binding.tenantId, action: binding.action, expires_at: Math.floor(work.expiresAtMs / 1000) };
      return signAltchaChallenge(secretsOf(binding.tenantId), counter, data) as unknown as PowChallenge;
    },

    async verify(payload: string, expect): Promise<PowVerdict> {
      const decoded = decodeAltchaPayload(payload);
      if (!decoded) return { ok: false, reason: 'invalid' };
      // The signature first: until it holds, nothing in the parameters can be believed.
      const result = checkAltchaPayload(secretsOf(expect.tenantId), decoded);
      // Another tenant's payload fails here: it was signed under that tenant's key.
      if (result.invalidSignature) return { ok: false, reason: 'invalid' };
      const data = decoded.challenge.parameters.data ?? {};
      if (data['tenant'] !== expect.tenantId) return { ok: false, reason: 'invalid' };
      if (data['action'] !== expect.action) return { ok: false, reason: 'action_mismatch' };
      const expiresAt = data['expires_at'];
      if (typeof expiresAt !== 'number' || expect.nowMs >= expiresAt * 1000) return { ok: false, reason: 'expired' };
      if (!result.verified) return { ok: false, reason: 'invalid' };
      return { ok: true, counter: decoded.solution.counter };
    },
  };
}
