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
import { createAltchaPow } from './adapters/captcha/altcha-pow.js';
import { createAuditChainMac } from './adapters/crypto/audit-chain-mac.js';
import { KEYED_AUDIT_CHAIN_MIGRATION } from './adapters/sql/audit-repo.js';
import { createEs256Signer } from './adapters/crypto/es256-signer.js';
import { createMemoryChangeHub } from './adapters/memory/memory-change-bus.js';
import { createRedisChangeBus } from './adapters/redis/redis-change-bus.js';
import { createPgChangeBus } from './adapters/sql/pg-change-bus.js';
import type { ChangeBus } from './ports/change-bus.js';
import { announcingFeedSync, followTenantChanges } from './services/tenant-changes.js';
import { createArgon2Hasher, type Argon2Options } from './adapters/crypto/argon2-hasher.js';
import { createMemoryCounters } from './adapters/memory/memory-counters.js';
import { createRedisCounters } from './adapters/redis/redis-counters.js';
import { buildCidrSet } from './domain/ip/cidr-set.js';
import { createKeyRing } from './services/keys.js';
import { createAuditWriter } from './services/audit.js';
import { createGroupCommit } from './services/group-commit.js';
import { createMetrics } from './services/metrics.js';
import { createTenantResolver } from './services/tenants.js';
import { openGate } from './services/risk-gate.js';
import { createRiskGate } from './services/risk/gate.js';
import { createFeedRegistry } from './services/risk/feed-registry.js';
import { createCaptchaChecker, type BreakerOptions } from './services/captcha/check.js';
import { createRefusalBudget } from './services/refusal-budget.js';
import { createSiteverifyClient } from './adapters/captcha/siteverify-client.js';
import type { SiteverifyClient } from './ports/captcha.js';
import { createFeedSetFactory } from './adapters/feeds/factory.js';
import type { GuardOptions } from './adapters/net/guarded-fetch.js';
import { createOutboxMailer } from './adapters/mail/outbox-mailer.js';
import { createSmtpMailer } from './adapters/mail/smtp-mailer.js';
import { pino, type Logger } from 'pino';

import { createAttemptLog } from './services/risk/attempt-log.js';
import { pruneAttempts, startAttemptPruning } from './services/risk/attempt-retention.js';
import { createWebhookDispatcher, type DispatcherOptions } from './services/webhooks/dispatcher.js';
import { createWebhookSender } from './adapters/net/webhook-sender.js';

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
  /** Tests: a resolver and CA for feed downloads (the allowed hosts always come from config). */
  feedGuard?: Omit<GuardOptions, 'allowHosts'>;
  /** Where start-up work (feed loading) is logged; default a pino logger at `PORTCULLIS_LOG_LEVEL`. */
  logger?: Logger;
  /** `false` records no attempts (the decision log's benchmark baseline). */
  attemptLog?: boolean;
  /** Tenant-change announcements (tests: endpoints of one in-process hub); default from config. */
  changeBus?: ChangeBus;
  /** Where this process listens (`http://127.0.0.1:3001`), once it does: the base of path-only siteverify URLs. */
  selfOrigin?: () => string | undefined;
  /** Webhook dispatch: `false` starts no dispatcher (tests drive their own); options tune the one started. */
  webhooks?: false | (DispatcherOptions & { ca?: string | Buffer });
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

/** One Redis, or a Redis Cluster, shared by every instance; else memory (one instance only). */
function countersFor(config: Readonly<Config>, clock: Clock): Counters {
  if (config.REDIS_CLUSTER_NODES) return createRedisCounters({ clusterNodes: config.REDIS_CLUSTER_NODES.split(',').map((n) => n.trim()) });
  if (config.REDIS_URL) return createRedisCounters({ url: config.REDIS_URL });
  return createMemoryCounters({ clock });
}

/**
 * Redis when there is one (already shared by every instance), else PostgreSQL's LISTEN/NOTIFY, else this process alone.
 * A Redis Cluster is not used for announcements: when the node its subscription sits on fails,
 * the client re-subscribes elsewhere without a sign, and the messages in between are lost
 * unannounced, where the PostgreSQL bus says "anything may have changed" after a reconnect.
 */
function changeBusFor(config: Readonly<Config>, target: SqlTarget): ChangeBus {
  if (config.REDIS_URL) return createRedisChangeBus({ url: config.REDIS_URL });
  if (config.DATABASE_URL && target.kind === 'postgres') return createPgChangeBus({ url: target.url });
  return createMemoryChangeHub().bus();
}

function databaseTarget(config: Readonly<Config>): SqlTarget {
  if (config.DATABASE_URL) return { kind: 'postgres', url: config.DATABASE_URL };
  return { kind: 'sqlite', file: join(resolve(config.PORTCULLIS_DATA_DIR), 'portcullis.db') };
}

/** The one place that picks adapters from configuration. */
export async function compose(config: Readonly<Config>, overrides: ComposeOverrides = {}): Promise<{ deps: Deps; close(): Promise<void>; migrations: string[] }> {
  const trustedProxies = buildCidrSet(config.trustedProxies.map((cidr) => ({ cidr, label: 0 })));
  const clock = overrides.clock ?? systemClock;
  const target = overrides.database ?? databaseTarget(config);
  const master = masterKey(config);
  const auditChain = createAuditChainMac(master);
  const db = connectDatabase(target);
  let applied: string[];
  try {
    applied = await migrateToLatest(db, target.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const store = createSqlStore(db, target.kind, auditChain, config.PORTCULLIS_AUDIT_CHAIN_SHARDS);
  // Only the process that has just applied the keyed-chain migration seals the old chains' heads.
  if (applied.includes(KEYED_AUDIT_CHAIN_MIGRATION)) await store.audit.sealLegacyHeads();
  const counters = overrides.counters ?? countersFor(config, clock);
  const box = createSecretBox(master);
  const hasher = await createArgon2Hasher({
    concurrency: config.PORTCULLIS_HASH_CONCURRENCY || availableParallelism(),
    queue: config.PORTCULLIS_HASH_QUEUE,
    ...overrides.hasher,
  });
  const commit = createGroupCommit(store);
  const auditWriter = createAuditWriter(commit, clock);
  const log = overrides.logger ?? pino({ level: config.PORTCULLIS_LOG_LEVEL });
  const bus = overrides.changeBus ?? changeBusFor(config, target);
  const createFeedSet = createFeedSetFactory({ ...overrides.feedGuard, allowHosts: config.feedAllowHosts });
  const registry = createFeedRegistry({ store, clock, auditWriter, createFeedSet, log: log.child({ component: 'threat-feeds' }) }, config.threatFeeds);
  const reputation = announcingFeedSync(registry, bus);
  const mailer = config.PORTCULLIS_SMTP_URL ? createSmtpMailer(config.PORTCULLIS_SMTP_URL, config.PORTCULLIS_MAIL_FROM) : createOutboxMailer(store, clock);
  const pow = createAltchaPow(master);
  const deps: Deps = {
    config, store, clock, counters, hasher, box, auditChain, trustedProxies, auditWriter, commit, reputation, mailer,
    keys: createKeyRing(store, box, clock, { signer: createEs256Signer, bus }),
    metrics: createMetrics({ processMetrics: overrides.processMetrics ?? false }),
    tenants: createTenantResolver(store, config, clock, bus),
    pow,
    captcha: createCaptchaChecker(store, commit, clock, overrides.siteverify ?? createSiteverifyClient(undefined, overrides.selfOrigin), pow, overrides.breaker),
    risk: openGate,
    refusals: createRefusalBudget({
      ratePerS: config.PORTCULLIS_REFUSAL_RATE, busyRatePerS: config.PORTCULLIS_REFUSAL_BUSY_RATE, maxWaitMs: config.PORTCULLIS_REFUSAL_WAIT_MS, busy: () => hasher.busy,
    }),
    attempts: createAttemptLog(commit, clock, { enabled: overrides.attemptLog ?? true }),
  };
  deps.risk = overrides.risk === 'open' ? openGate : overrides.risk ?? createRiskGate(deps);
  await reputation.start();
  const stopPruning = startAttemptPruning(() => pruneAttempts(store.attempts, clock, config.PORTCULLIS_ATTEMPT_RETENTION_DAYS));
  followTenantChanges(bus, { tenants: deps.tenants, keys: deps.keys, reputation: registry });
  // Outside production a developer may point webhooks at a receiver on loopback (DESIGN §17).
  const webhookOptions = overrides.webhooks === false ? undefined : overrides.webhooks ?? {};
  const dispatcher = webhookOptions && createWebhookDispatcher({
    store, clock, box, log: log.child({ component: 'webhooks' }),
    send: createWebhookSender({ allowLoopback: config.NODE_ENV !== 'production', ...(webhookOptions.ca ? { ca: webhookOptions.ca } : {}) }),
  }, webhookOptions);
  dispatcher?.start();
  return {
    deps,
    migrations: applied,
    async close() {
      await dispatcher?.stop();
      await stopPruning();
      await deps.attempts.flushed();
      await bus.close();
      reputation.close();
      await mailer.close();
      await counters.close();
      await store.close();
    },
  };
}
