import type { Config } from '../config/schema.js';
import type { Store } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import type { Counters } from '../ports/counters.js';
import type { PasswordHasher } from '../ports/hasher.js';
import type { SecretBox } from '../ports/secret-box.js';
import type { AuditChainMac } from '../ports/audit-chain.js';
import type { KeyRing } from './keys.js';
import type { AuditWriter } from './audit.js';
import type { GroupCommit } from './group-commit.js';
import type { Metrics } from './metrics.js';
import type { TenantResolver } from './tenants.js';
import type { RiskGate } from './risk-gate.js';
import type { CidrSet } from '../domain/ip/cidr-set.js';
import type { CaptchaChecker } from './captcha/check.js';
import type { Mailer } from '../ports/mailer.js';
import type { IpHit } from '../domain/risk/signals.js';
import type { FeedStatus } from '../ports/feeds.js';
import type { PowChallenges } from '../ports/pow.js';

import type { AttemptLog } from './risk/attempt-log.js';
import type { RefusalBudget } from './refusal-budget.js';

/** Threat-feed hits for an address: platform-wide feeds and the tenant's own. */
export interface IpReputation {
  lookup(tenantId: string, ip: string): IpHit[];
  /** Re-reads tenant feeds from the database. */
  sync(): Promise<void>;
  status(tenantId: string): FeedStatus[];
}

/** Everything services need, built once in `compose.ts`. */
export interface Deps {
  config: Readonly<Config>;
  store: Store;
  clock: Clock;
  counters: Counters;
  hasher: PasswordHasher;
  box: SecretBox;
  /** Keys the audit chain (per-tenant HMAC keys derived from the master key). */
  auditChain: AuditChainMac;
  keys: KeyRing;
  auditWriter: AuditWriter;
  /** Shared transactions for hot-path writes (sessions): one fsync for many requests. */
  commit: GroupCommit;
  metrics: Metrics;
  tenants: TenantResolver;
  risk: RiskGate;
  trustedProxies: CidrSet;
  captcha: CaptchaChecker;
  /** Self-issued proof-of-work challenges, provider `altcha` (DESIGN §16). */
  pow: PowChallenges;
  mailer: Mailer;
  reputation: IpReputation;
  /** The decision log (DESIGN §15). */
  attempts: AttemptLog;
  /** The bounded share of the event loop for sign-in refusals (per process). */
  refusals: RefusalBudget;
}

/** Tenant token issuer: `<public url>/tenants/<slug>`. */
export function issuerFor(config: Readonly<Config>, slug: string): string {
  const base = config.PORTCULLIS_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  return `${base.replace(/\/$/, '')}/tenants/${slug}`;
}

/** Management tokens are minted for the API, user tokens for the tenant's own apps: neither passes for the other. */
export const managementAudience = (issuer: string) => `${issuer}/api`;
