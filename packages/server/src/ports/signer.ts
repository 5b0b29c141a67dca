import type { JWK } from 'jose';

/** Signs compact JWS with one private key; the key ring picks the key and the claims. */
export interface TokenSigner {
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): string;
}

/** Builds a signer for one private JWK (the key ring holds one per tenant key). */
export type SignerFactory = (privateJwk: JWK) => TokenSigner;
