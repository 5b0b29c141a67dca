import { createHash, createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { Challenge, ChallengeParameters, Payload } from 'altcha-lib';

/**
 * ALTCHA PoW v2 exactly as `altcha-lib` 2.8.0 writes and reads it (`createChallenge` with a known
 * counter, SHA-256, cost 1, keyLength 32, and both HMAC secrets; `verifySolution` along its
 * key-signature path), on `node:crypto`. Why not the library itself: every HMAC of it imports a
 * WebCrypto key and signs through the thread pool, most of the ~150–250 µs it spends per challenge;
 * here the keys are encoded once per tenant and the work is two synchronous HMACs and one hash.
 * test/captcha/altcha-wire.test.ts proves the bytes equal the library's for the same inputs, so the
 * pinned widget solves what we issue.
 */

/** A tenant's two HMAC keys, encoded once: the library keys its HMACs with the UTF-8 bytes of the secret strings. */
export interface AltchaKeys { signature: Buffer; key: Buffer }

export function importAltchaKeys(signatureSecret: string, keySecret: string): AltchaKeys {
  return { signature: Buffer.from(signatureSecret, 'utf8'), key: Buffer.from(keySecret, 'utf8') };
}

/**
 * The library's `sortKeys`: own keys sorted, recursively; undefined dropped; arrays as they are. A
 * `__proto__` key of a decoded payload stays an own key (and so is signed), never the prototype
 * setter. A loop, not the library's `Object.fromEntries(flatMap)`, which costs ten times as much.
 */
function sortKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: sortKeys(v), enumerable: true, writable: true, configurable: true });
    else out[k] = sortKeys(v);
  }
  return out;
}

const hmacHex = (key: Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest('hex');

/** Equal strings, in time that depends only on their length (the library's `constantTimeEqual` does the same). */
function sameString(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Fills `n` fresh random bytes; a test passes a seeded source to compare with the library byte for byte. */
export type RandomBytes = (n: number) => Uint8Array;
let pool = Buffer.alloc(0);
let used = 0;
/** Random bytes from a pool filled 4 KiB at a time: one fill per 128 challenges instead of two each. A used pool is dropped, never refilled in place. */
const secureRandom: RandomBytes = (n) => {
  if (used + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(4096));
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
};

/**
 * A challenge whose answer is `counter`: the derived key SHA-256(salt ‖ nonce ‖ counter as uint32 BE)
 * is known here, its first half is the prefix the solver must hit, and its HMAC (the key signature)
 * lets verification skip re-hashing.
 */
export function signAltchaChallenge(keys: AltchaKeys, counter: number, data: Record<string, string | number>, random: RandomBytes = secureRandom): Challenge {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) throw new RangeError('counter must be a uint32');
  const nonce = Buffer.from(random(16));
  const salt = Buffer.from(random(16));
  const password = Buffer.alloc(4);
  password.writeUInt32BE(counter);
  const derivedKey = createHash('sha256').update(salt).update(nonce).update(password).digest();
  const parameters = sortKeys({
    algorithm: 'SHA-256', nonce: nonce.toString('hex'), salt: salt.toString('hex'), cost: 1, keyLength: 32,
    keyPrefix: derivedKey.subarray(0, 16).toString('hex'), keySignature: hmacHex(keys.key, derivedKey), data,
  }) as ChallengeParameters;
  return { parameters, signature: hmacHex(keys.signature, JSON.stringify(parameters)) };
}

const LOWER_HEX_BYTES = /^(?:[0-9a-f]{2})+$/;

/**
 * The library's verdict on a decoded payload: the parameters' signature first (until it holds,
 * nothing in them can be believed), then the solution's derived key against the signed key
 * signature. Both compared in constant time. A challenge without a key signature was not issued
 * by us, so it is an invalid solution rather than a re-derivation.
 */
export function checkAltchaPayload(keys: AltchaKeys, payload: Payload): { invalidSignature: boolean; verified: boolean } {
  const { challenge, solution } = payload;
  if (!challenge.signature || !sameString(challenge.signature, hmacHex(keys.signature, JSON.stringify(sortKeys(challenge.parameters))))) {
    return { invalidSignature: true, verified: false };
  }
  const { derivedKey, counter } = solution;
  if (typeof derivedKey !== 'string' || !LOWER_HEX_BYTES.test(derivedKey) || !Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
    return { invalidSignature: false, verified: false };
  }
  const keySignature = challenge.parameters.keySignature;
  if (!keySignature) return { invalidSignature: false, verified: false };
  return { invalidSignature: false, verified: sameString(keySignature, hmacHex(keys.key, Buffer.from(derivedKey, 'hex'))) };
}
