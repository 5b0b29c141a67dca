import { hash as argonHash, verify as argonVerify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { PortcullisError } from '@portcullis/protocol';
import type { PasswordHasher } from '../../ports/hasher.js';

/** OWASP's argon2id minimum (DESIGN §5): m=19456 KiB, t=2, p=1. */
/** `Algorithm.Argon2id` is an ambient const enum (value 2), not importable as a value. */
export const ARGON2_PARAMS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** How long after the slots were last all taken the pool still counts as busy: a few hashes' time. */
const BUSY_MS = 100;

export interface Argon2Options {
  /** Hashes in flight; more than the cores only adds latency. */
  concurrency: number;
  /** Hashes that may wait; past it the answer is a fast 503 rather than a growing latency. */
  queue: number;
  params?: Partial<typeof ARGON2_PARAMS>;
}

/** argon2id behind a bounded gate, so a flood of sign-ins degrades to fast 503s instead of timeouts. */
export async function createArgon2Hasher(options: Argon2Options): Promise<PasswordHasher> {
  const params = { ...ARGON2_PARAMS, ...options.params };
  let running = 0;
  let verifications = 0;
  // When the slots were last all taken: between two hashes `running` dips for a moment, which is not idleness.
  let fullAt = -Infinity;
  const waiting: Array<() => void> = [];

  async function gated<T>(work: () => Promise<T>): Promise<T> {
    if (running >= options.concurrency) {
      if (waiting.length >= options.queue) {
        throw new PortcullisError('service_unavailable', { message: 'Too many sign-ins in progress; retry shortly.', details: { retry_after_s: 1 } });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running += 1;
    }
    if (running >= options.concurrency) fullAt = performance.now();
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  }

  const dummyHash = await argonHash(randomBytes(24).toString('base64url'), params);
  return {
    dummyHash,
    get verifications() { return verifications; },
    get busy() { return running >= options.concurrency || performance.now() - fullAt < BUSY_MS; },
    hash: (password) => gated(() => argonHash(password, params)),
    verify: (hash, password) => gated(async () => {
      verifications += 1;
      try {
        return await argonVerify(hash, password);
      } catch {
        return false;
      }
    }),
  };
}
