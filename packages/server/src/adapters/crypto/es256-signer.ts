import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SignerFactory, TokenSigner } from '../../ports/signer.js';

/**
 * Compact JWS with ES256 through node:crypto's synchronous signer. jose verifies and serves keys;
 * signing is the hot path of every token response, and WebCrypto's async sign costs about 6× more
 * here (≈290 µs vs 45 µs per token, measured). Tests verify every token produced here with jose.
 */
export type Es256Signer = TokenSigner;

export const createEs256Signer: SignerFactory = (privateJwk: JWK): Es256Signer => {
  const key: KeyObject = createPrivateKey({ key: privateJwk as Parameters<typeof createPrivateKey>[0] extends { key: infer K } ? K : never, format: 'jwk' });
  return {
    sign(header, payload) {
      const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
};
