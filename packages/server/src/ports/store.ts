import type { AuditEventType, AuditOutcome, UserRole } from '@portcullis/protocol';
import type { AttemptStore } from './attempts.js';
import type { WebhookStore } from './webhooks.js';

/**
 * The store did not answer (connection refused or lost, timeout, disk busy or full): not a bug,
 * so callers answer 503 and retry, and readiness turns false. Adapters translate their driver's
 * errors into this; nothing above them looks at driver codes.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('The store is unavailable.', options);
  }
}

/**
 * A write hit a uniqueness rule (another writer got there first): the loser of a race hears
 * `conflict`, never a 500. `constraint` names the rule when the driver says which.
 */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly constraint: string | undefined;
  constructor(options?: { constraint?: string | undefined; cause?: unknown }) {
    super('A uniqueness rule of the store was violated.', { cause: options?.cause });
    this.constraint = options?.constraint;
  }
}

/** Records as the stores hold them. Times are ISO-8601 strings (portable across SQLite and PostgreSQL). */
export interface TenantRecord {
  id: string;
  slug: string;
  domains: string[];
  allowedOrigins: string[];
  settings: Record<string, unknown>;
  createdAt: string;
}

export interface UserRecord {
  id: string;
  tenantId: string;
  email: string;
  passwordHash: string | null;
  disabled: boolean;
  /** Re-read on every management call a user token makes: removing `admin` takes effect at once. */
  roles: UserRole[];
  createdAt: string;
  updatedAt: string;
  /**
   * When the owner proved the address (DESIGN §19); null for a sign-up still waiting for its link.
   * Omitted on insert: verified at creation (an account an admin or operator creates needs no link).
   */
  emailVerifiedAt?: string | null;
}

/** A user to insert: without roles it holds none. */
export type NewUserRecord = Omit<UserRecord, 'roles'> & { roles?: UserRole[] };

export interface SessionRecord {
  id: string;
  tenantId: string;
  userId: string;
  amr: string[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  /** The OIDC client the session was started for (code flow): its refresh tokens work for that client only. Absent or null: first-party sign-in. */
  clientId?: string | null;
  /** The scope the person granted that client; a refresh keeps it. Absent or null: first-party sign-in. */
  scope?: string | null;
}

export interface ApplicationRecord {
  id: string;
  tenantId: string;
  name: string;
  scopes: string[];
  secretHash: string;
  previousSecretHash: string | null;
  previousSecretExpiresAt: string | null;
  secretRotatedAt: string | null;
  tokenTtlS: number;
  createdAt: string;
  /** OIDC client type (DESIGN §19); absent on records built before it existed means `machine`. */
  type?: 'machine' | 'spa' | 'web';
  /** Exact-match redirect URIs of the code flow (no wildcards). */
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
}

/** An OIDC authorization code as stored: hashed, bound to client, redirect URI and PKCE challenge. */
export interface AuthCodeRecord {
  codeHash: string;
  tenantId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  nonce: string | null;
  scope: string;
  userId: string;
  /** The session the exchange creates: allocated with the code, so a reused code knows what to revoke. */
  sessionId: string;
  amr: string[];
  authTimeS: number;
  expiresMs: number;
  createdAt: string;
}

export interface AuthCodeUse {
  /** `redeemed`: this call spent the code; `reused`: it had been spent before; `unknown`: no such code or expired. */
  outcome: 'redeemed' | 'reused' | 'unknown';
  code?: AuthCodeRecord;
}

export interface SigningKeyRecord {
  kid: string;
  tenantId: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateJwkSealed: string;
  createdAt: string;
}

export interface AuditInput {
  tenantId: string;
  type: AuditEventType;
  occurredAt: string;
  actor: { kind: string; id: string | null };
  target: { kind: string; id: string | null };
  outcome: AuditOutcome;
  data: Record<string, unknown>;
  context: Record<string, unknown>;
}

export interface AuditRecord extends AuditInput {
  id: string;
  /** Which of the tenant's chains holds it (0 for every event written before chains were sharded). */
  shard: number;
  /** Its position in that chain. */
  seq: number;
  prevHash: string;
  hash: string;
}

/** A chain head: entries up to `plainUntil` carry plain links (written before keyed links), the rest keyed ones. */
export interface AuditHead {
  seq: number;
  hash: string;
  plainUntil: number;
  /** Null only for a head no process holding the master key has written since migration 0004. */
  mac: string | null;
}

export interface AuditFilter {
  type?: string;
  outcome?: string;
  actor?: string;
  ip?: string;
  since?: string;
  until?: string;
  /** Only events with a smaller id (cursor pagination, newest first: ids are time-ordered ULIDs). */
  beforeId?: string;
  limit: number;
}

export interface OutboxMessage {
  id: string;
  tenantId: string;
  recipient: string;
  subject: string;
  body: string;
  createdAt: string;
}

/** A brute-force lock: `subject` is an opaque key (hashed email, IP /64, or both). */
export interface LockRecord {
  scope: string;
  subject: string;
  untilMs: number;
}

export interface FeedRecord {
  id: string;
  tenantId: string;
  name: string;
  definition: Record<string, unknown>;
  createdAt: string;
}

export interface EmailOtpRecord {
  id: string;
  tenantId: string;
  /** Null when the password was wrong: the challenge exists so the answer looks the same, but no code was sent. */
  userId: string | null;
  email: string;
  codeHash: string;
  attempts: number;
  expiresMs: number;
  createdAt: string;
}

/** What a mailed single-use token is for; a token of one purpose never passes for the other. */
export type AccountTokenPurpose = 'verify_email' | 'password_reset';

export interface AccountTokenRecord {
  /** SHA-256 of the token: the database never holds one that could be mailed again. */
  tokenHash: string;
  tenantId: string;
  userId: string;
  purpose: AccountTokenPurpose;
  expiresMs: number;
  createdAt: string;
  /**
   * A verification link carries the password of the sign-up that asked for it, set when the link
   * is followed: whoever registered an address first cannot plant a password its owner then verifies.
   */
  passwordHash?: string | null;
}

export interface RefreshUse {
  /** `rotated`: this call spent the token; `reused`: it had been spent before; `unknown`: no such live token. */
  outcome: 'rotated' | 'reused' | 'unknown';
  sessionId?: string;
  tenantId?: string;
}

/** Every read and write of durable state. Tenant ids are explicit in every call. */
export interface StoreOps {
  tenants: {
    insert(tenant: TenantRecord): Promise<void>;
    bySlug(slug: string): Promise<TenantRecord | undefined>;
    byDomain(host: string): Promise<TenantRecord | undefined>;
    list(): Promise<TenantRecord[]>;
    updateSettings(tenantId: string, settings: Record<string, unknown>): Promise<void>;
  };
  users: {
    insert(user: NewUserRecord): Promise<void>;
    byId(tenantId: string, id: string): Promise<UserRecord | undefined>;
    byEmail(tenantId: string, email: string): Promise<UserRecord | undefined>;
    list(tenantId: string, afterId: string | undefined, limit: number): Promise<UserRecord[]>;
    update(tenantId: string, id: string, patch: Partial<Pick<UserRecord, 'email' | 'passwordHash' | 'disabled' | 'roles' | 'updatedAt' | 'emailVerifiedAt'>>): Promise<boolean>;
    delete(tenantId: string, id: string): Promise<boolean>;
  };
  sessions: {
    insert(session: SessionRecord): Promise<void>;
    byId(tenantId: string, id: string): Promise<SessionRecord | undefined>;
    revoke(tenantId: string, id: string, at: string, reason: string): Promise<boolean>;
    revokeAllForUser(tenantId: string, userId: string, at: string, reason: string): Promise<number>;
  };
  refreshTokens: {
    insert(token: { tokenHash: string; tenantId: string; sessionId: string; createdAt: string; expiresAt: string }): Promise<void>;
    /** Atomically marks the token spent; tells a first use from a reuse. */
    use(tenantId: string, tokenHash: string, now: string): Promise<RefreshUse>;
  };
  applications: {
    insert(app: ApplicationRecord): Promise<void>;
    byId(tenantId: string, id: string): Promise<ApplicationRecord | undefined>;
    list(tenantId: string, afterId: string | undefined, limit: number): Promise<ApplicationRecord[]>;
    update(tenantId: string, id: string, patch: Partial<Omit<ApplicationRecord, 'id' | 'tenantId' | 'createdAt'>>): Promise<boolean>;
    delete(tenantId: string, id: string): Promise<boolean>;
  };
  authCodes: {
    insert(code: AuthCodeRecord): Promise<void>;
    /** Atomically marks the code spent; tells a first use from a reuse (the reuse still returns the record). */
    use(tenantId: string, codeHash: string, nowMs: number): Promise<AuthCodeUse>;
  };
  signingKeys: {
    insert(key: SigningKeyRecord): Promise<void>;
    forTenant(tenantId: string): Promise<SigningKeyRecord[]>;
  };
  audit: {
    /** Appends one event to the tenant's hash chain. */
    append(event: AuditInput): Promise<AuditRecord>;
    /** Appends several events (any tenants) in order: the group commit's path. */
    appendMany(events: readonly AuditInput[]): Promise<AuditRecord[]>;
    list(tenantId: string, filter: AuditFilter): Promise<AuditRecord[]>;
    /** One chain's recorded head (last position and link, cut-over point, MAC), to catch a truncated tail or a forged head. */
    head(tenantId: string, shard?: number): Promise<AuditHead | undefined>;
    /** Every chain head the tenant has, by shard. */
    heads(tenantId: string): Promise<Array<AuditHead & { shard: number }>>;
    /** The first event that sits in a shard with no head among `shards` (rows no head vouches for), if any. */
    unheaded(tenantId: string, shards: readonly number[]): Promise<AuditRecord | undefined>;
    /**
     * Seals the heads that migration 0004 left without a MAC (chains begun with plain links). Call it
     * only right after that migration was applied: sealing whatever the database holds on its say-so
     * would bless a forged head.
     */
    sealLegacyHeads(): Promise<number>;
    /** One shard's events in chain order, from `afterSeq`, for verification. */
    chain(tenantId: string, afterSeq: number, limit: number, shard?: number): Promise<AuditRecord[]>;
  };
  locks: {
    /** Locks in force for any of these subjects. */
    active(tenantId: string, subjects: ReadonlyArray<{ scope: string; subject: string }>, nowMs: number): Promise<LockRecord[]>;
    /** Sets a lock, keeping the later end if one exists. */
    set(tenantId: string, lock: LockRecord, createdAt: string): Promise<void>;
    clear(tenantId: string, match: { subject?: string; subjectPrefix?: string }): Promise<number>;
    list(tenantId: string, match: { subjectPrefix?: string }, nowMs: number): Promise<LockRecord[]>;
  };
  feeds: {
    insert(feed: FeedRecord): Promise<void>;
    list(tenantId: string | undefined): Promise<FeedRecord[]>;
    delete(tenantId: string, id: string): Promise<boolean>;
  };
  captchaTokens: {
    /** True the first time a token hash is claimed (kept until `expiresMs`), false after: the replay set. */
    claim(tokenHash: string, tenantId: string, expiresMs: number): Promise<boolean>;
    purge(nowMs: number): Promise<number>;
  };
  emailOtps: {
    insert(otp: EmailOtpRecord): Promise<void>;
    /** Spends one try atomically: the challenge after the increment, or undefined when it is spent, expired or out of tries. */
    attempt(tenantId: string, id: string, nowMs: number, maxAttempts: number): Promise<EmailOtpRecord | undefined>;
    /** Marks it used; true for exactly one caller. */
    consume(tenantId: string, id: string, nowMs: number): Promise<boolean>;
  };
  accountTokens: {
    insert(token: AccountTokenRecord): Promise<void>;
    /** Spends a live token atomically: its user (and pending password) for exactly one caller, undefined when unknown, spent or expired. */
    consume(tenantId: string, tokenHash: string, purpose: AccountTokenPurpose, nowMs: number): Promise<{ userId: string; passwordHash: string | null } | undefined>;
    /** Spends every live token of a user for a purpose (a reset or verification done makes the others void). */
    voidForUser(tenantId: string, userId: string, purpose: AccountTokenPurpose, nowMs: number): Promise<number>;
  };
  outbox: {
    insert(message: OutboxMessage): Promise<void>;
    list(tenantId: string | undefined, limit: number): Promise<OutboxMessage[]>;
  };
  /** The decision log (DESIGN §15). */
  attempts: AttemptStore;
  /** Webhook endpoints and their delivery outbox (DESIGN §17). */
  webhooks: WebhookStore;
}

export interface Store extends StoreOps {
  /** Runs `work` in one database transaction: audit rows commit with the change they record, or neither does. */
  transaction<T>(work: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly dialect: 'sqlite' | 'postgres';
}
