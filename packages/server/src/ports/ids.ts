import { randomBytes, randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

export type IdPrefix = 'usr' | 'ses' | 'app' | 'evt' | 'req' | 'chl' | 'tnt' | 'key' | 'msg' | 'feed' | 'att' | 'whk' | 'dlv';

/**
 * Ids and secrets: drawn from the operating system's CSPRNG, so a side effect, named here like
 * the clock. There is one implementation and call sites use the bound functions below: nothing
 * decides on an id's value, and a secret must never come from a source a test could weaken.
 */
export interface Ids {
  /** A prefixed ULID (`usr_01J…`): sortable by creation, unguessable enough for ids, never used as a secret. */
  newId(prefix: IdPrefix): string;
  /** A secret with 256 random bits (DESIGN §5 asks ≥ 128), prefixed so leaked values are recognisable. */
  newSecret(prefix: string): string;
  /** `bytes` random bytes as base64url, for public but unguessable handles (key ids). */
  randomToken(bytes: number): string;
}

/**
 * ulid's own source asks WebCrypto for one value per character (16 calls per id, measured 7 µs an
 * id on the hot path); this draws the same CSPRNG bytes 4 KiB at a time. 32-bit values scaled to
 * [0, 1) give ulid's base-32 characters without bias (32 divides 2³²).
 */
function bufferedRandom(): () => number {
  const pool = Buffer.alloc(4096);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const value = pool.readUInt32LE(offset);
    offset += 4;
    return value / 0x1_0000_0000;
  };
}

function createSystemIds(): Ids {
  const nextUlid = monotonicFactory(bufferedRandom());
  const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url');
  return {
    newId: (prefix) => `${prefix}_${nextUlid()}`,
    newSecret: (prefix) => `${prefix}_${randomToken(32)}`,
    randomToken,
  };
}

export const systemIds: Ids = createSystemIds();

export const newId = (prefix: IdPrefix): string => systemIds.newId(prefix);
export const newSecret = (prefix: string): string => systemIds.newSecret(prefix);
export const randomToken = (bytes: number): string => systemIds.randomToken(bytes);
