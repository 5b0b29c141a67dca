import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Store, TenantRecord } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import type { SecretBox } from '../ports/secret-box.js';
import type { SignerFactory, TokenSigner } from '../ports/signer.js';
import type { ChangeBus } from '../ports/change-bus.js';
import { randomToken } from '../ports/ids.js';
import { isoTime } from './context.js';

const ALG = 'ES256';

interface TenantKeys {
  kid: string;
  signer: TokenSigner;
  jwks: { keys: JWK[] };
  verifier: ReturnType<typeof createLocalJWKSet>;
}

/** Per-tenant ES256 keys: private halves sealed at rest, public halves served as JWKS. */
export interface KeyRing {
  ensureKey(tenant: TenantRecord): Promise<void>;
  /** Adds a new signing key: new tokens use it, tokens signed with the older keys keep verifying (JWKS lists all). */
  rotate(tenant: TenantRecord): Promise<string>;
  jwks(tenant: TenantRecord): Promise<{ keys: JWK[] }>;
  sign(tenant: TenantRecord, claims: JWTPayload, ttlS: number): Promise<string>;
  /** Signs a document that is not a token (an audit checkpoint); its own `typ` keeps it from passing for one. */
  signDocument(tenant: TenantRecord, typ: string, payload: Record<string, unknown>): Promise<string>;
  /** Verifies signature (this tenant's keys only), issuer, audience and expiry; null when anything is off. */
  verify(tenant: TenantRecord, token: string, issuer: string, audience: string): Promise<JWTPayload | null>;
  /** A key change announced by another instance: re-read the tenant's keys (`undefined`: every tenant's) on next use. */
  forget(tenantId?: string): void;
}

export interface KeyRingOptions {
  /** Builds the signer for a private key (the ES256 adapter in production). */
  signer: SignerFactory;
  /** Where a rotation is announced, so the other instances sign with the new key at once. */
  bus?: ChangeBus;
}

export function createKeyRing(store: Store, box: SecretBox, clock: Clock, options: KeyRingOptions): KeyRing {
  const cache = new Map<string, Promise<TenantKeys | null>>();
  const reloadedAt = new Map<string, number>();

  async function load(tenantId: string): Promise<TenantKeys | null> {
    const records = await store.signingKeys.forTenant(tenantId);
    const newest = records[0];
    if (!newest) return null;
    const privateJwk = JSON.parse(box.open(newest.privateJwkSealed)) as JWK;
    const jwks = { keys: records.map((r) => ({ ...r.publicJwk, kid: r.kid, alg: r.alg, use: 'sig' }) as JWK) };
    return { kid: newest.kid, signer: options.signer(privateJwk), jwks, verifier: createLocalJWKSet(jwks) };
  }

  function keysFor(tenantId: string, reload = false): Promise<TenantKeys | null> {
    let entry = reload ? undefined : cache.get(tenantId);
    if (!entry) {
      entry = load(tenantId);
      // Neither a failure nor "no key yet" is remembered: another instance may create the key a moment later.
      entry.then((keys) => { if (!keys) cache.delete(tenantId); }, () => cache.delete(tenantId));
      cache.set(tenantId, entry);
    }
    return entry;
  }

  async function addKey(tenant: TenantRecord): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomToken(12);
    await store.signingKeys.insert({
      kid, tenantId: tenant.id, alg: ALG, publicJwk: await exportJWK(publicKey),
      privateJwkSealed: box.seal(JSON.stringify(await exportJWK(privateKey))), createdAt: isoTime(clock.now()),
    });
    await keysFor(tenant.id, true);
    return kid;
  }

  async function ensureKey(tenant: TenantRecord): Promise<void> {
    if (!(await keysFor(tenant.id))) await addKey(tenant);
  }

  async function required(tenant: TenantRecord): Promise<TenantKeys> {
    await ensureKey(tenant);
    const keys = await keysFor(tenant.id);
    if (!keys) throw new Error('tenant has no signing key');
    return keys;
  }

  return {
    ensureKey,
    async rotate(tenant) {
      const kid = await addKey(tenant);
      void options.bus?.publish(tenant.id);
      return kid;
    },
    forget(tenantId) {
      if (tenantId === undefined) cache.clear();
      else cache.delete(tenantId);
    },
    jwks: async (tenant) => (await required(tenant)).jwks,
    async sign(tenant, claims, ttlS) {
      const keys = await required(tenant);
      const nowS = Math.floor(clock.now() / 1000);
      return keys.signer.sign({ alg: ALG, kid: keys.kid, typ: 'at+jwt' }, { ...claims, iat: nowS, exp: nowS + ttlS });
    },
    async signDocument(tenant, typ, payload) {
      const keys = await required(tenant);
      return keys.signer.sign({ alg: ALG, kid: keys.kid, typ }, payload);
    },
    async verify(tenant, token, issuer, audience) {
      const attempt = async (keys: TenantKeys) => (await jwtVerify(token, keys.verifier, {
        issuer, audience, algorithms: [ALG], currentDate: new Date(clock.now()),
      })).payload;
      const keys = await keysFor(tenant.id);
      if (!keys) return null;
      try {
        return await attempt(keys);
      } catch (error) {
        // A key rotated on another instance: re-read the keys, at most once per 10 s per tenant so
        // tokens with made-up key ids cannot turn into a database query each.
        const last = reloadedAt.get(tenant.id) ?? -Infinity;
        if ((error as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || clock.now() - last < 10_000) return null;
        reloadedAt.set(tenant.id, clock.now());
        const fresh = await keysFor(tenant.id, true);
        return fresh ? attempt(fresh).catch(() => null) : null;
      }
    },
  };
}
