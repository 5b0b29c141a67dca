import { randomBytes } from 'node:crypto';
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

function createSystemIds(): Ids {
  const nextUlid = monotonicFactory();
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
