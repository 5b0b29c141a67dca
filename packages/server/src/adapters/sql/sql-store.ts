import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Store, StoreOps } from '../../ports/store.js';
import type { AuditChainMac } from '../../ports/audit-chain.js';
import { applicationRepo, tenantRepo, userRepo } from './identity-repos.js';
import { refreshTokenRepo, sessionRepo } from './session-repos.js';
import { auditRepo } from './audit-repo.js';
import { outboxRepo, signingKeyRepo } from './key-outbox-repos.js';
import { captchaTokenRepo, emailOtpRepo, feedRepo, lockRepo } from './risk-repos.js';
import { attemptRepo } from './attempt-repo.js';
import { authCodeRepo } from './auth-code-repo.js';
import { createSubscriptionCache, webhookRepo, type SubscriptionCache } from './webhook-repo.js';
import { accountTokenRepo } from './account-token-repo.js';

function opsFor(db: Kysely<Database>, chain: AuditChainMac, dialect: Store['dialect'], hooks: SubscriptionCache, auditShards: number): StoreOps {
  return {
    tenants: tenantRepo(db), users: userRepo(db), sessions: sessionRepo(db), refreshTokens: refreshTokenRepo(db),
    applications: applicationRepo(db), signingKeys: signingKeyRepo(db), audit: auditRepo(db, chain, hooks, { dialect, shards: auditShards }), outbox: outboxRepo(db),
    locks: lockRepo(db), feeds: feedRepo(db), captchaTokens: captchaTokenRepo(db), emailOtps: emailOtpRepo(db),
    attempts: attemptRepo(db), authCodes: authCodeRepo(db), webhooks: webhookRepo(db, hooks, dialect), accountTokens: accountTokenRepo(db),
  };
}

/** Chains per tenant on PostgreSQL unless configured (`PORTCULLIS_AUDIT_CHAIN_SHARDS`). */
export const DEFAULT_AUDIT_SHARDS = 4;

/** The `Store` port over Kysely, for SQLite and PostgreSQL alike; `chain` keys the audit links, spread over `auditShards` chains per tenant. */
export function createSqlStore(db: Kysely<Database>, dialect: Store['dialect'], chain: AuditChainMac, auditShards = DEFAULT_AUDIT_SHARDS): Store {
  const hooks = createSubscriptionCache();
  const ops = opsFor(db, chain, dialect, hooks, auditShards);
  const inTransaction = <T>(work: (tx: StoreOps) => Promise<T>) => db.transaction().execute((trx) => work(opsFor(trx, chain, dialect, hooks, auditShards)));
  return {
    ...ops,
    // Outside a caller's transaction an append still needs one: the head bump and the insert go together.
    audit: {
      ...ops.audit,
      append: (event) => inTransaction((tx) => tx.audit.append(event)),
      appendMany: (events) => inTransaction((tx) => tx.audit.appendMany(events)),
    },
    dialect,
    transaction: inTransaction,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}
