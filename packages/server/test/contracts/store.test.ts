import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store, TenantRecord } from '../../src/ports/store.js';
import { verifyAuditChain } from '../../src/services/audit-verify.js';
import { createAuditChainMac } from '../../src/adapters/crypto/audit-chain-mac.js';
import { randomBytes } from 'node:crypto';
import { DATABASES, openTestStore, requirePostgresInCi } from '../support/database.js';

requirePostgresInCi();

const auditChain = createAuditChainMac(randomBytes(32));

const openStore = (kind: string) => openTestStore(kind, auditChain);

const tenant = (id: string, slug: string): TenantRecord => ({
  id, slug, domains: [`${slug}.example`], allowedOrigins: [], settings: { a: 1 }, createdAt: '2026-11-24T10:00:00.000Z',
});

const at = '2026-11-24T10:00:00.000Z';

for (const { name, available } of DATABASES) {
  const suite = available ? describe : describe.skip;
  suite(`store contract on ${name}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await openStore(name));
      await store.tenants.insert(tenant('tnt_a', 'alpha'));
      await store.tenants.insert(tenant('tnt_b', 'beta'));
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('finds tenants by slug and by domain, with settings round-tripped', async () => {
      expect((await store.tenants.bySlug('alpha'))?.id).toBe('tnt_a');
      expect(await store.tenants.byDomain('beta.example')).toMatchObject({ id: 'tnt_b', domains: ['beta.example'], settings: { a: 1 } });
      expect(await store.tenants.byDomain('nope.example')).toBeUndefined();
    });

    it('keeps emails unique per tenant, not across tenants', async () => {
      const user = { id: 'usr_1', tenantId: 'tnt_a', email: 'x@example.com', passwordHash: 'h', disabled: false, createdAt: at, updatedAt: at };
      await store.users.insert(user);
      await store.users.insert({ ...user, id: 'usr_2', tenantId: 'tnt_b' });
      await expect(store.users.insert({ ...user, id: 'usr_3' })).rejects.toThrow();
      expect((await store.users.byEmail('tnt_b', 'x@example.com'))?.id).toBe('usr_2');
      expect(await store.users.byId('tnt_b', 'usr_1')).toBeUndefined();
    });

    it('rolls back every write of a failed transaction, audit row included', async () => {
      await expect(store.transaction(async (tx) => {
        await tx.users.insert({ id: 'usr_rb', tenantId: 'tnt_a', email: 'rb@example.com', passwordHash: null, disabled: false, createdAt: at, updatedAt: at });
        await tx.audit.append({ tenantId: 'tnt_a', type: 'user.created', occurredAt: at, actor: { kind: 'system', id: null }, target: { kind: 'user', id: 'usr_rb' }, outcome: 'success', data: {}, context: {} });
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(await store.users.byId('tnt_a', 'usr_rb')).toBeUndefined();
      expect(await store.audit.list('tnt_a', { limit: 10 })).toHaveLength(0);
    });

    it('spends a refresh token exactly once under 20 parallel uses', async () => {
      await store.sessions.insert({ id: 'ses_1', tenantId: 'tnt_a', userId: 'usr_1', amr: ['pwd'], createdAt: at, expiresAt: '2027-01-01T00:00:00.000Z', revokedAt: null, revokedReason: null });
      await store.refreshTokens.insert({ tokenHash: 'rt1', tenantId: 'tnt_a', sessionId: 'ses_1', createdAt: at, expiresAt: '2027-01-01T00:00:00.000Z' });
      const uses = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.refreshTokens.use('tnt_a', 'rt1', at))));
      expect(uses.filter((u) => u.outcome === 'rotated')).toHaveLength(1);
      expect(uses.filter((u) => u.outcome === 'reused')).toHaveLength(19);
      expect((await store.refreshTokens.use('tnt_b', 'rt1', at)).outcome).toBe('unknown');
    });

    it('chains 40 parallel audit appends per tenant without gaps or forks', async () => {
      const append = (tenantId: string, i: number) => store.transaction((tx) => tx.audit.append({
        tenantId, type: 'user.signed_in', occurredAt: at, actor: { kind: 'user', id: `usr_${i}` }, target: { kind: 'session', id: null },
        outcome: 'success', data: { i }, context: { ip: '192.0.2.1' },
      }));
      await Promise.all(Array.from({ length: 40 }, (_, i) => append(i % 2 ? 'tnt_a' : 'tnt_b', i)));
      for (const id of ['tnt_a', 'tnt_b']) {
        // Each chain shard runs 1..n with no gap or fork; together they hold the 20 events.
        const heads = await store.audit.heads(id);
        const perShard = await Promise.all(heads.map(async (h) => (await store.audit.chain(id, 0, 100, h.shard)).map((e) => e.seq)));
        for (const seqs of perShard) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        expect(perShard.flat()).toHaveLength(20);
        expect(await verifyAuditChain({ store, auditChain }, id)).toEqual({ tenantId: id, events: 20, ok: true });
      }
      expect(await store.audit.list('tnt_a', { ip: '192.0.2.1', limit: 100 })).toHaveLength(20);
    });

    it('appends a mixed-tenant batch in order, continuing each chain', async () => {
      const input = (tenantId: string, i: number) => ({
        tenantId, type: 'application.token_issued' as const, occurredAt: at, actor: { kind: 'application', id: null },
        target: { kind: 'application', id: null }, outcome: 'success' as const, data: { i }, context: {},
      });
      const records = await store.transaction((tx) => tx.audit.appendMany([input('tnt_a', 1), input('tnt_b', 2), input('tnt_a', 3)]));
      expect(records.map((r) => [r.tenantId, r.data['i']])).toEqual([['tnt_a', 1], ['tnt_b', 2], ['tnt_a', 3]]);
      expect(records[2]!.seq).toBe(records[0]!.seq + 1);
      expect(records[2]!.prevHash).toBe(records[0]!.hash);
      for (const id of ['tnt_a', 'tnt_b']) expect((await verifyAuditChain({ store, auditChain }, id)).ok).toBe(true);
    });

    it('appends one tenant batch larger than one insert statement (150 rows) as one unbroken chain, values bound exactly', async () => {
      const input = (i: number) => ({
        tenantId: 'tnt_big', type: 'user.signed_in.failed' as const, occurredAt: at, actor: { kind: 'user', id: i % 2 === 0 ? `usr_${i}` : null },
        target: { kind: 'user', id: null }, outcome: 'failure' as const, data: { i, note: "it's \u0000 odd" }, context: i % 3 === 0 ? { ip: `198.51.100.${i}` } : {},
      });
      const records = await store.transaction((tx) => tx.audit.appendMany(Array.from({ length: 150 }, (_, i) => input(i))));
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 150 }, (_, i) => records[0]!.seq + i));
      expect(await verifyAuditChain({ store, auditChain }, 'tnt_big')).toEqual({ tenantId: 'tnt_big', events: 150, ok: true });
      const stored = await store.audit.list('tnt_big', { limit: 200 });
      const byI = new Map(stored.map((r) => [r.data['i'], r]));
      expect(byI.size).toBe(150);
      expect(byI.get(4)).toMatchObject({ actor: { kind: 'user', id: 'usr_4' }, data: { i: 4, note: "it's \u0000 odd" }, context: {} });
      expect(byI.get(3)).toMatchObject({ actor: { kind: 'user', id: null }, context: { ip: '198.51.100.3' } });
      expect(await store.audit.list('tnt_big', { ip: '198.51.100.99', limit: 10 })).toHaveLength(1);
    });

    it('keeps the client and scope of a code-flow session, and null for a first-party one', async () => {
      await store.sessions.insert({ id: 'ses_c', tenantId: 'tnt_a', userId: 'usr_1', amr: ['pwd'], createdAt: at, expiresAt: '2027-01-01T00:00:00.000Z', revokedAt: null, revokedReason: null, clientId: 'app_spa', scope: 'openid email' });
      expect(await store.sessions.byId('tnt_a', 'ses_c')).toMatchObject({ clientId: 'app_spa', scope: 'openid email' });
      expect(await store.sessions.byId('tnt_a', 'ses_1')).toMatchObject({ clientId: null, scope: null });
    });

    it('revokes a session once and reports whether it did', async () => {
      expect(await store.sessions.revoke('tnt_a', 'ses_1', at, 'logout')).toBe(true);
      expect(await store.sessions.revoke('tnt_a', 'ses_1', at, 'logout')).toBe(false);
      expect((await store.sessions.byId('tnt_a', 'ses_1'))?.revokedReason).toBe('logout');
    });

    it('keeps the later end of a lock set twice, and finds locks by subject prefix', async () => {
      await store.locks.set('tnt_a', { scope: 'account_ip', subject: 'ab_c|1.2.3.4', untilMs: 5_000 }, at);
      await store.locks.set('tnt_a', { scope: 'account_ip', subject: 'ab_c|1.2.3.4', untilMs: 3_000 }, at);
      await store.locks.set('tnt_a', { scope: 'account', subject: 'ab_c', untilMs: 9_000 }, at);
      await store.locks.set('tnt_a', { scope: 'account', subject: 'abXc', untilMs: 9_000 }, at);
      expect(await store.locks.active('tnt_a', [{ scope: 'account_ip', subject: 'ab_c|1.2.3.4' }], 1_000)).toEqual([{ scope: 'account_ip', subject: 'ab_c|1.2.3.4', untilMs: 5_000 }]);
      expect(await store.locks.active('tnt_a', [{ scope: 'account_ip', subject: 'ab_c|1.2.3.4' }], 6_000)).toEqual([]);
      expect(await store.locks.active('tnt_b', [{ scope: 'account', subject: 'ab_c' }], 1_000)).toEqual([]);
      expect((await store.locks.list('tnt_a', { subjectPrefix: 'ab_c|' }, 1_000)).map((l) => l.subject)).toEqual(['ab_c|1.2.3.4']);
      expect(await store.locks.clear('tnt_a', { subjectPrefix: 'ab_c' })).toBe(2);
      expect(await store.locks.active('tnt_a', [{ scope: 'account', subject: 'abXc' }], 1_000)).toHaveLength(1);
    });

    it('claims a captcha token once under 20 parallel claims, and purges expired ones', async () => {
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.captchaTokens.claim('tok', 'tnt_a', 10_000)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.captchaTokens.purge(20_000)).toBe(1);
      expect(await store.captchaTokens.claim('tok', 'tnt_a', 30_000)).toBe(true);
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
