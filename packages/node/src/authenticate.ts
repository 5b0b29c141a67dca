import { bearerToken } from './bearer-token.js';
import { createVerifier, type AccessClaims, type Verifier, type VerifierOptions } from './verifier.js';

/** Either a verifier made once, or the options to make one (memoised per issuer and audience). */
export type AuthOptions = ({ verifier: Verifier } | VerifierOptions) & {
  /** Scopes every request must carry (`insufficient_scope` otherwise). */
  scopes?: readonly string[];
};

// One verifier per configuration: a handler that passes options on every call must not rediscover keys per request.
const verifiers = new Map<string, Verifier>();
// The same options object (what a middleware holds) skips even the key: nothing is serialised per request.
const byObject = new WeakMap<AuthOptions, Verifier>();

/** The verifier these options name. */
export function verifierFor(options: AuthOptions): Verifier {
  if ('verifier' in options) return options.verifier;
  const known = byObject.get(options);
  if (known) return known;
  const { issuer, audience, clockTolerance, algorithms, jwks } = options;
  const key = JSON.stringify([issuer, audience, clockTolerance, algorithms, jwks]);
  let verifier = verifiers.get(key);
  if (!verifier) verifiers.set(key, verifier = createVerifier({ issuer, audience, clockTolerance, algorithms, jwks }));
  byObject.set(options, verifier);
  return verifier;
}

/** Verifies the bearer token of an `Authorization` header value; rejects with a `BearerError`. */
export async function authorize(authorization: string | readonly string[] | null | undefined, options: AuthOptions): Promise<AccessClaims> {
  const verifier = verifierFor(options);
  const token = bearerToken(authorization);
  return verifier.verify(token, options);
}

/**
 * For fetch-style servers (Hono, Next.js route handlers, Deno, Bun): resolves to the token's claims
 * or rejects with a `BearerError` carrying `status` (400/401/403) and `wwwAuthenticate`.
 */
export function authenticate(request: Request, options: AuthOptions): Promise<AccessClaims> {
  return authorize(request.headers.get('authorization'), options);
}

/** The RFC 6750 answer to a `BearerError`, for fetch-style servers. */
export function bearerErrorResponse(error: { status: number; wwwAuthenticate: string; toJSON(): object }): Response {
  return Response.json(error.toJSON(), { status: error.status, headers: { 'www-authenticate': error.wwwAuthenticate, 'cache-control': 'no-store' } });
}
