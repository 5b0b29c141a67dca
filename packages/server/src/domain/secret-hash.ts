import { createHash, timingSafeEqual } from 'node:crypto';

/** High-entropy secrets are stored as SHA-256: a slow hash adds nothing when guessing is already hopeless. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time comparison of two stored hashes: how long it takes must not say how much matched. */
export function sameSecretHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What a client's secret is checked against: its current hash, and the previous one until its overlap ends. */
export interface ClientSecretHashes {
  secretHash: string;
  previousSecretHash?: string | null;
  previousSecretExpiresAt?: string | null;
}

/** Whether `secret` is the client's current secret, or its previous one while the rotation overlap lasts (`nowIso` before its end). */
export function clientSecretMatches(client: ClientSecretHashes, secret: string, nowIso: string): boolean {
  const given = hashSecret(secret);
  return sameSecretHash(given, client.secretHash)
    || (!!client.previousSecretHash && !!client.previousSecretExpiresAt && client.previousSecretExpiresAt > nowIso && sameSecretHash(given, client.previousSecretHash));
}
