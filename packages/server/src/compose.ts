import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Config } from './config/schema.js';
import type { Deps } from './services/deps.js';
import type { Clock } from './ports/clock.js';
import type { Counters } from './ports/counters.js';
import type { RiskGate } from './services/risk-gate.js';
import { systemClock } from './ports/clock.js';
import { connectDatabase, migrateToLatest, type SqlTarget } from './adapters/sql/connect.js';
import { createSqlStore } from './adapters/sql/sql-store.js';
import { createSecretBox } from './adapters/crypto/secret-box.js';
import { createArgon2Hasher, type Argon2Options } from './adapters/crypto/argon2-hasher.js';
import { createMemoryCounters } from './adapters/memory/memory-counters.js';
import { createRedisCounters } from './adapters/redis/redis-counters.js';
import { createCidrSet } from './domain/ip/cidr-set.js';
import { createKeyRing } from './services/keys.js';
import { createAuditWriter } from './services/audit.js';
import { createGroupCommit } from './services/group-commit.js';
import { createMetrics } from './services/metrics.js';
import { createTenantResolver } from './services/tenants.js';
import { openGate } from './services/risk-gate.js';
import { createRiskGate } from './services/risk/gate.js';
import { createFeedRegistry } from './services/risk/feed-registry.js';
import { createCaptchaChecker, type BreakerOptions } from './services/captcha/check.js';
import { createSiteverifyClient } from './adapters/captcha/siteverify-client.js';
import type { SiteverifyClient } from './ports/captcha.js';
import { platformFeeds } from './config/feeds.js';
import { createOutboxMailer } from './adapters/mail/outbox-mailer.js';
import { createSmtpMailer } from './adapters/mail/smtp-mailer.js';
import { ConfigError } from './config/load.js';
import { createAttemptLog } from './services/risk/attempt-log.js';
import { pruneAttempts, startAttemptPruning } from './services/risk/attempt-retention.js';

export interface ComposeOverrides {
  clock?: Clock;
  /** Use this database instead of the configured one (tests: `:memory:` or a PostgreSQL schema). */
  database?: SqlTarget;
  counters?: Counters;
  /** `open` switches the risk engine off (the benchmarks' baseline); default is the engine. */
  risk?: RiskGate | 'open';
  siteverify?: SiteverifyClient;
  breaker?: BreakerOptions;
  hasher?: Partial<Argon2Options>;
  processMetrics?: boolean;
  /** `false` records no attempts (the decision log's benchmark baseline). */
  attemptLog?: boolean;
}

/** The master key: configured, or (outside production) generated once into the data dir. */
function masterKey(config: Readonly<Config>): Buffer {
  if (config.PORTCULLIS_MASTER_KEY) return Buffer.from(config.PORTCULLIS_MASTER_KEY, 'base64');
  const dir = resolve(config.PORTCULLIS_DATA_DIR);
  const file = join(dir, 'dev-master.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

function databaseTarget(config: Readonly<Config>): SqlTarget {
  if (config.DATABASE_URL) return { kind: 'postgres', url: config.DATABASE_URL };
  return { kind: 'sqlite', file: join(resolve(config.PORTCULLIS_DATA_DIR), 'portcullis.db') };
}

/** The one place that picks adapters from configuration. */
export async function compose(config: Readonly<Config>, overrides: ComposeOverrides = {}): Promise<{ deps: Deps; close(): Promise<void> }> {
  let trustedProxies;
  try {
    trustedProxies = createCidrSet(config.PORTCULLIS_TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean));
  } catch (error) {
    throw new ConfigError([`PORTCULLIS_TRUSTED_PROXIES: ${(error as Error).message}`]);
  }
  const clock = overrides.clock ?? systemClock;
  const target = overrides.database ?? databaseTarget(config);
  const db = connectDatabase(target);
  try {
    await migrateToLatest(db, target.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const store = createSqlStore(db, target.kind);
  const counters = overrides.counters ?? (config.REDIS_URL
    ? createRedisCounters({ url: config.REDIS_URL })
    : createMemoryCounters({ clock }));
  const box = createSecretBox(masterKey(config));
  const hasher = await createArgon2Hasher({
    concurrency: config.PORTCULLIS_HASH_CONCURRENCY || availableParallelism(),
    queue: config.PORTCULLIS_HASH_QUEUE,
    ...overrides.hasher,
  });
  const commit = createGroupCommit(store);
  const auditWriter = createAuditWriter(commit, clock);
  const reputation = createFeedRegistry({ store, clock, auditWriter }, platformFeeds(config));
  const mailer = config.PORTCULLIS_SMTP_URL ? createSmtpMailer(config.PORTCULLIS_SMTP_URL, config.PORTCULLIS_MAIL_FROM) : createOutboxMailer(store, clock);
  const deps: Deps = {
    config, store, clock, counters, hasher, box, trustedProxies, auditWriter, commit, reputation, mailer,
    keys: createKeyRing(store, box, clock),
    metrics: createMetrics({ processMetrics: overrides.processMetrics ?? false }),
    tenants: createTenantResolver(store, config, clock),
    captcha: createCaptchaChecker(store, commit, clock, overrides.siteverify ?? createSiteverifyClient(), overrides.breaker),
    risk: openGate,
    attempts: createAttemptLog(commit, clock, { enabled: overrides.attemptLog ?? true }),
  };
  deps.risk = overrides.risk === 'open' ? openGate : overrides.risk ?? createRiskGate(deps);
  await reputation.start();
  const stopPruning = startAttemptPruning(() => pruneAttempts(store.attempts, clock, config.PORTCULLIS_ATTEMPT_RETENTION_DAYS));
  return {
    deps,
    async close() {
      await stopPruning();
      await deps.attempts.flushed();
      reputation.close();
      await mailer.close();
      await counters.close();
      await store.close();
    },
  };
}
