import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MintInput, Provider, TokenClaims } from './types.js';

/**
 * Prefixes that make emulator tokens look like the provider's own at a glance (Turnstile
 * `0.`, reCAPTCHA `03A`, hCaptcha `P1_`); nothing may depend on them.
 */
const PREFIX: Readonly<Record<Provider, string>> = { turnstile: '0.', recaptcha: '03A', hcaptcha: 'P1_' };

/** Mints and opens emulator tokens; one codec per emulator, keyed by its own HMAC key. */
export interface TokenCodec {
  mint(input: MintInput): string;
  /** The claims of an authentic token, or `undefined` for anything forged, altered or foreign. */
  open(token: string): TokenClaims | undefined;
}

type Wire = [p: Provider, k: string, a: string, h: string, c: string, t: number, i: 0 | 1, v: 'v2' | 'v3', n: string];

/** Creates a codec: tokens are `prefix + base64url(JSON claims) + "." + base64url(HMAC-SHA256)`. */
export function createTokenCodec(key: Uint8Array, now: () => number): TokenCodec {
  const sign = (data: string): Buffer => createHmac('sha256', key).update(data).digest();
  return {
    mint(input) {
      const wire: Wire = [
        input.provider, input.sitekey, input.action ?? '', input.hostname ?? 'localhost', input.cdata ?? '',
        input.issuedAt ?? now(), input.interactive ? 1 : 0, input.version ?? 'v2', randomBytes(12).toString('base64url'),
      ];
      const data = PREFIX[input.provider] + Buffer.from(JSON.stringify(wire)).toString('base64url');
      return `${data}.${sign(data).toString('base64url')}`;
    },
    open(token) {
      const dot = token.lastIndexOf('.');
      if (dot < 0) return undefined;
      const data = token.slice(0, dot);
      const mac = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = sign(data);
      // Constant-time compare: the emulator stands in for a provider, so it should not teach timing leaks.
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
      const provider = (Object.keys(PREFIX) as Provider[]).find((p) => data.startsWith(PREFIX[p]));
      if (!provider) return undefined;
      const wire = JSON.parse(Buffer.from(data.slice(PREFIX[provider].length), 'base64url').toString('utf8')) as Wire;
      if (wire[0] !== provider) return undefined;
      return {
        provider, sitekey: wire[1], action: wire[2], hostname: wire[3], cdata: wire[4],
        issuedAt: wire[5], interactive: wire[6] === 1, version: wire[7], nonce: wire[8],
      };
    },
  };
}
