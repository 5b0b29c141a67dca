import type { IpHit, FailureCounts, ActiveLocks } from '../domain/risk/signals.js';

/**
 * The decision log's storage (DESIGN §15). One row per evaluated password sign-in attempt; a
 * challenge answered later is linked to its row through the table itself, so any instance can
 * settle an attempt another instance started.
 */
export type AttemptKind = 'login' | 'signup' | 'password_reset';

export interface AttemptRow {
  id: string;
  tenantId: string;
  /** Which door the attempt came through (DESIGN §19); absent: `login`. */
  kind?: AttemptKind;
  occurredMs: number;
  ip: string;
  email: string;
  /** Filled by the store from the tenant's users at insert time; null for unknown emails. */
  userId: string | null;
  visitorId: string | null;
  score: number;
  /** What the policy decided (under monitor_only: what enforcement would have done). */
  action: 'allow' | 'challenge' | 'deny';
  monitorOnly: boolean;
  reasons: ReadonlyArray<Record<string, unknown> & { code: string }>;
  ipHits: readonly IpHit[];
  trustedNetwork: boolean;
  counts: FailureCounts | null;
  locks: ActiveLocks;
  deviceConfidence: number;
  deviceFactors: readonly string[];
  outcome: string;
  challenge: 'captcha' | 'email_otp' | null;
  challengeResult: 'passed' | 'failed' | null;
  /** The email-code challenge (`chl_…`) that continues this attempt. */
  challengeId: string | null;
  /** `passed`, `failed`, `invalid` (refused locally), `unreachable` or `misconfigured`. */
  captchaResult: string | null;
  captchaLatencyMs: number | null;
}

/** What a later request learned about an attempt that was waiting for a captcha. */
export interface CaptchaSettlement {
  outcome: string;
  /** `email_otp` when the provider was down and the tenant falls back to an emailed code (then `challengeId` continues it). */
  challenge: 'captcha' | 'email_otp';
  challengeId: string | null;
  challengeResult: 'passed' | 'failed' | null;
  captchaResult: string;
  captchaLatencyMs: number | null;
}

export interface AttemptFilter {
  email?: string;
  ip?: string;
  action?: string;
  reason?: string;
  outcome?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Keyset cursor: rows strictly older than this (occurred_ms, id) pair. */
  before?: { ms: number; id: string };
  limit: number;
}

/** One group of the stats query: rows with these values, and how many. */
export interface AttemptGroup {
  bucket: number;
  action: string;
  outcome: string;
  challenge: string | null;
  challengeResult: string | null;
  reasonCodes: string;
  captchaResult: string | null;
  count: number;
}

/** The columns a replay needs, nothing else (simulate reads up to 100,000 of them). */
export type ReplayRow = Pick<AttemptRow, 'id' | 'occurredMs' | 'ip' | 'action' | 'outcome' | 'ipHits' | 'counts' | 'locks' | 'deviceConfidence'> & { reasonCodes: string[] };

export interface AttemptStore {
  /** Records an attempt under a new `att_…` id, which it returns. */
  insert(row: Omit<AttemptRow, 'id'>): Promise<string>;
  /** Records several attempts in one statement (the hot path's batch); returns their ids in order. */
  insertMany(rows: ReadonlyArray<Omit<AttemptRow, 'id'>>): Promise<string[]>;
  /**
   * Settles the newest attempt of this client still waiting for a captcha (`captcha_required`,
   * since `sinceMs`): true for exactly one caller, so two instances cannot both claim it.
   */
  settleCaptcha(tenantId: string, match: { email: string; ip: string; visitorId: string | null; sinceMs: number; kind?: AttemptKind }, settlement: CaptchaSettlement, nowMs: number): Promise<string | undefined>;
  /** Moves the attempt continued by an email-code challenge on; a passed one stays passed. */
  settleEmailOtp(tenantId: string, challengeId: string, passed: boolean, nowMs: number): Promise<boolean>;
  get(tenantId: string, id: string): Promise<AttemptRow | undefined>;
  /** Newest first. */
  list(tenantId: string, filter: AttemptFilter): Promise<AttemptRow[]>;
  /** Counts per (bucket, action, outcome, challenge, reasons, captcha result) over a window; `bucketMs` slices occurred_ms. */
  groups(tenantId: string, sinceMs: number, untilMs: number, bucketMs: number): Promise<AttemptGroup[]>;
  /** The `q`-quantile (0–1) of recorded captcha verification latencies in the window, or null if none. */
  latencyQuantile(tenantId: string, sinceMs: number, untilMs: number, q: number): Promise<number | null>;
  /** The newest `limit` attempts of the window, for replay. */
  replay(tenantId: string, sinceMs: number, untilMs: number, limit: number): Promise<ReplayRow[]>;
  /** Deletes up to `batch` attempts older than `beforeMs` (every tenant); returns how many. */
  prune(beforeMs: number, batch: number): Promise<number>;
}
