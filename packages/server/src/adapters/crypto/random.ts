import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'usr' | 'ses' | 'app' | 'evt' | 'req' | 'chl' | 'tnt' | 'key' | 'msg' | 'feed' | 'att';

/** A prefixed ULID (`usr_01J…`): sortable by creation, unguessable enough for ids, never used as a secret. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}

/** A secret with 256 random bits (DESIGN §5 asks ≥ 128), prefixed so leaked values are recognisable. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** High-entropy secrets are stored as SHA-256: a slow hash adds nothing when guessing is already hopeless. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function sameSecretHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
