import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Store, StoreOps } from '../../ports/store.js';
import { applicationRepo, tenantRepo, userRepo } from './identity-repos.js';
import { refreshTokenRepo, sessionRepo } from './session-repos.js';
import { auditRepo } from './audit-repo.js';
import { outboxRepo, signingKeyRepo } from './key-outbox-repos.js';
import { captchaTokenRepo, emailOtpRepo, feedRepo, lockRepo } from './risk-repos.js';

function opsFor(db: Kysely<Database>): StoreOps {
  return {
    tenants: tenantRepo(db), users: userRepo(db), sessions: sessionRepo(db), refreshTokens: refreshTokenRepo(db),
    applications: applicationRepo(db), signingKeys: signingKeyRepo(db), audit: auditRepo(db), outbox: outboxRepo(db),
    locks: lockRepo(db), feeds: feedRepo(db), captchaTokens: captchaTokenRepo(db), emailOtps: emailOtpRepo(db),
  };
}

/** The `Store` port over Kysely, for SQLite and PostgreSQL alike. */
export function createSqlStore(db: Kysely<Database>, dialect: Store['dialect']): Store {
  return {
    ...opsFor(db),
    dialect,
    transaction: (work) => db.transaction().execute((trx) => work(opsFor(trx))),
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
