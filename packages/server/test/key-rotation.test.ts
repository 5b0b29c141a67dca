import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';
import { createKeyRing } from '../src/services/keys.js';
import { createEs256Signer } from '../src/adapters/crypto/es256-signer.js';
import { issuerFor, managementAudience } from '../src/services/deps.js';

describe('signing-key rotation', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('signs new tokens with the new key, keeps old tokens valid, and another instance learns the key on first sight', async () => {
    const tenant = (await h.deps.store.tenants.bySlug('acme'))!;
    const iss = issuerFor(h.deps.config, 'acme');
    // Another instance: its own key ring over the same database, warmed before the rotation.
    const other = createKeyRing(h.deps.store, h.deps.box, h.clock, { signer: createEs256Signer });
    const before = await h.adminToken();
    expect(await other.verify(tenant, before, iss, managementAudience(iss))).not.toBeNull();

    h.clock.advance(1000);
    const kid = await h.deps.keys.rotate(tenant);
    const after = await h.adminToken();
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).toBe(kid);
    const jwks = (await h.app.inject({ url: '/tenants/acme/.well-known/jwks.json' })).json() as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    expect(jwks.keys).toHaveLength(2);

    for (const token of [before, after]) {
      const res = await h.app.inject({ url: '/api/v1/users', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
    }
    expect(await other.verify(tenant, after, iss, managementAudience(iss))).not.toBeNull();
  });

  it('is a CLI command too', async () => {
    const { keysRotate } = await import('../src/cli/commands.js');
    const out = await keysRotate(h.deps, { positionals: ['keys', 'rotate'], values: { tenant: 'acme' } });
    expect((out.json as { keys: string[] }).keys.length).toBe(3);
  });
});
