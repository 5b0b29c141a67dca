import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { BearerError } from './bearer-error.js';

/** The claims of a Portcullis access token, as `verify` resolves them. */
export interface AccessClaims extends JWTPayload {
  iss: string;
  sub: string;
  /** Space-separated scopes (RFC 8693 §4.2). */
  scope?: string;
  client_id?: string;
  sid?: string;
  amr?: string[];
}

export interface VerifierOptions {
  /** The tenant's issuer, e.g. `https://auth.example.com/tenants/banking`. */
  issuer: string;
  /**
   * The `aud` a token must carry. Defaults to the issuer, which is what Portcullis puts in user
   * access tokens: a management token (audience `<issuer>/api`) then never passes for a user.
   */
  audience?: string | string[];
  /** Seconds of clock skew tolerated on `exp`/`nbf` (default 0). */
  clockTolerance?: number;
  /** Accepted signing algorithms (default `['ES256']`, what Portcullis signs with): never `none` or HMAC. */
  algorithms?: string[];
  /**
   * Passed to jose's `createRemoteJWKSet`: an unknown `kid` refetches the JWKS unless one was fetched
   * within `cooldownDuration` ms (default 30 000), so forged kids cannot make us hammer the issuer.
   */
  jwks?: { cooldownDuration?: number; cacheMaxAge?: number; timeoutDuration?: number };
}

export interface VerifyOptions {
  /** Every one of these must be in the token's `scope`; otherwise `insufficient_scope` (403). */
  scopes?: readonly string[];
}

export interface Verifier {
  /** Resolves to the claims, or rejects with a {@link BearerError} (anything else is an outage, not the token). */
  verify(token: string, options?: VerifyOptions): Promise<AccessClaims>;
  readonly issuer: string;
}

/** What a jose failure tells the client, in words RFC 6750 lets us quote (jose's messages hold `"`). */
function describe(err: errors.JOSEError): string {
  if (err instanceof errors.JWTExpired) return 'The access token expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'The access token has another issuer';
    if (err.claim === 'aud') return 'The access token is not meant for this audience';
    if (err.claim === 'typ') return 'The token is not an access token';
    if (err.claim === 'nbf') return 'The access token is not valid yet';
    return `The access token has an invalid ${err.claim.replace(/[^a-z_]/gi, '')} claim`;
  }
  if (err instanceof errors.JWKSNoMatchingKey) return 'The access token is signed by an unknown key';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature is invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The access token uses an algorithm that is not accepted';
  return 'The access token is malformed';
}

/** Failures of the token itself; a JWKS that cannot be fetched (timeout, 5xx, bad JSON) is our problem, not the client's. */
const TOKEN_FAULTS = [errors.JWTExpired, errors.JWTClaimValidationFailed, errors.JWKSNoMatchingKey, errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed, errors.JWSInvalid, errors.JWTInvalid, errors.JOSENotSupported, errors.JWKSMultipleMatchingKeys];

/** RFC 8414 §3.3: the discovered document must name the issuer we asked, or its keys are someone else's. */
async function discoverJwksUri(issuer: string): Promise<URL> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Portcullis discovery: ${url} answered ${res.status}`);
  const doc = await res.json() as { issuer?: unknown; jwks_uri?: unknown };
  if (doc.issuer !== issuer) throw new Error(`Portcullis discovery: ${url} names issuer ${String(doc.issuer)}, not ${issuer}`);
  if (typeof doc.jwks_uri !== 'string') throw new Error(`Portcullis discovery: ${url} has no jwks_uri`);
  return new URL(doc.jwks_uri);
}

/**
 * jose's remote set, with the keys it resolved kept by `alg` and `kid` while its cache is fresh:
 * a token of a known key then costs what `jwtVerify` with that key costs (no lookup through two
 * async layers and a filter of the set). Anything else (first use, a stale set, an unknown `kid`)
 * goes to jose, which refetches as it always does; and since such a refetch may drop a key, the
 * kept keys are forgotten then, so a key removed from the JWKS is not honoured longer than by jose.
 */
function cachedKeys(remote: ReturnType<typeof createRemoteJWKSet>): JWTVerifyGetKey {
  const known = new Map<string, Awaited<ReturnType<JWTVerifyGetKey>>>();
  return (header, token) => {
    const id = typeof header.kid === 'string' ? `${header.alg} ${header.kid}` : undefined;
    const key = id !== undefined && remote.fresh ? known.get(id) : undefined;
    if (key) return key;
    known.clear();
    return remote(header, token).then((resolved) => {
      if (id !== undefined) known.set(id, resolved);
      return resolved;
    });
  };
}

/**
 * A verifier for one tenant's access tokens. Keys come from the issuer's JWKS, found through its
 * discovery document on first use (a failed discovery is retried on the next call), cached by jose
 * and refetched on an unknown `kid`: a `portcullis keys rotate` needs no restart here.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = options.issuer.replace(/\/$/, '');
  // Built once, not per call: verify() is on every request of the API it guards (bench/node-verify.js).
  const checks = {
    // RFC 9068 §4: only `at+jwt`, so another JWS the tenant's key signs (an audit checkpoint) is never a token.
    typ: 'at+jwt', issuer, audience: options.audience ?? issuer, algorithms: options.algorithms ?? ['ES256'],
    clockTolerance: options.clockTolerance ?? 0, requiredClaims: ['sub', 'exp'],
  };
  // The discovered key set once it is there (no promise per call); a failed discovery is forgotten and tried again.
  let keys: JWTVerifyGetKey | undefined;
  let discovering: Promise<JWTVerifyGetKey> | undefined;
  const discover = () => discovering ??= discoverJwksUri(issuer).then(
    (uri) => (keys = cachedKeys(createRemoteJWKSet(uri, options.jwks))),
    (err: unknown) => { discovering = undefined; throw err; },
  );
  return {
    issuer,
    async verify(token, verifyOptions) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys ?? await discover(), checks));
      } catch (err) {
        if (TOKEN_FAULTS.some((fault) => err instanceof fault)) throw new BearerError('invalid_token', describe(err as errors.JOSEError));
        throw err;
      }
      const required = verifyOptions?.scopes;
      if (required?.length) {
        const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
        if (required.some((s) => !granted.includes(s))) {
          throw new BearerError('insufficient_scope', 'The access token lacks a required scope', { scopes: required });
        }
      }
      return payload as AccessClaims;
    },
  };
}
