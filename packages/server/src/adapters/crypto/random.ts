/**
 * Kept for callers outside the layered core (CLI, other adapters) while they move over: ids and
 * secrets are the `Ids` port (ports/ids.ts), secret hashing is pure (domain/secret-hash.ts).
 */
export { newId, newSecret, type IdPrefix } from '../../ports/ids.js';
export { hashSecret, sameSecretHash } from '../../domain/secret-hash.js';
