import { Type, type Static } from 'typebox';
import { THREAT_CATEGORIES } from './risk.js';

// The decision log, statistics, explanation and policy simulation (DESIGN §15).

/** Every reason code the risk engine can give (DESIGN §7), in the engine's order. */
export const RISK_REASON_CODES = [
  ...THREAT_CATEGORIES.map((c) => `ip.${c}` as const),
  'ip.failures', 'account.failures', 'device.low_confidence', 'tenant.captcha_always', 'counters.unavailable',
  'lockout.account_ip', 'lockout.account', 'lockout.ip',
] as const;
export type RiskReasonCode = (typeof RISK_REASON_CODES)[number];

export const RISK_ACTIONS = ['allow', 'challenge', 'deny'] as const;
export type RiskActionName = (typeof RISK_ACTIONS)[number];

/**
 * Where an attempt ended up, the latest state first reached: a challenged attempt that is then
 * solved stays one attempt and moves on (`captcha_required` → `captcha_passed` → `success`).
 * `captcha_passed` is final only when something after the captcha failed for reasons of its own
 * (`error`: the server could not finish, e.g. a full hash queue).
 */
export const ATTEMPT_OUTCOMES = [
  'captcha_required', 'captcha_passed', 'captcha_failed', 'captcha_unavailable',
  'email_otp_required', 'email_otp_passed', 'email_otp_failed',
  'success', 'invalid_credentials', 'account_disabled', 'account_locked', 'rate_limited', 'sign_in_denied', 'error',
  'email_not_verified',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** The doors a decision-log row can come through (DESIGN §19). */
export const ATTEMPT_KINDS = ['login', 'signup', 'password_reset'] as const;

/** Outcomes that count as a person (DESIGN §15 "humans"). */
export const HUMAN_OUTCOMES: readonly AttemptOutcome[] = ['success', 'captcha_passed', 'email_otp_passed'];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });

export const AttemptSignals = Type.Object({
  ip_categories: Type.Array(Type.Object({ feed: Type.String(), category: Type.String(), weight: Nullable(Type.Integer()) })),
  trusted_network: Type.Boolean(),
  counts: Nullable(Type.Object({
    ip_failures: Type.Integer(), account_failures: Type.Integer(), lockout_account_ip: Type.Integer(),
    lockout_account: Type.Integer(), lockout_ip: Type.Integer(),
  })),
  locks: Type.Object({ account_ip_until: Nullable(Time), account_until: Nullable(Time), ip_until: Nullable(Time) }),
  device_confidence: Type.Number(),
  device_factors: Type.Array(Type.String()),
  captcha_always: Type.Boolean(),
});
export type AttemptSignals = Static<typeof AttemptSignals>;

/** One evaluated password sign-in attempt (`att_…`). `action` is what the policy decided, enforced or (monitor_only) not. */
export const Attempt = Type.Object({
  id: Type.String(),
  kind: Type.Enum(ATTEMPT_KINDS),
  occurred_at: Time,
  ip: Type.String(),
  email: Type.String(),
  user_id: Nullable(Type.String()),
  visitor_id: Nullable(Type.String()),
  score: Type.Integer(),
  action: Type.Enum(RISK_ACTIONS),
  monitor_only: Type.Boolean(),
  reasons: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  signals: AttemptSignals,
  outcome: Type.Enum(ATTEMPT_OUTCOMES),
  /** The challenge the attempt went through, if any, and how it ended (`null` while unanswered). */
  challenge: Nullable(Type.Object({
    kind: Type.Enum(['captcha', 'email_otp']),
    result: Nullable(Type.Enum(['passed', 'failed'])),
    provider_result: Nullable(Type.String()),
    latency_ms: Nullable(Type.Integer()),
  })),
});
export type Attempt = Static<typeof Attempt>;

/** The largest page of `GET /api/v1/risk/attempts`. */
export const ATTEMPTS_MAX_LIMIT = 200;

export const AttemptQuery = Type.Object({
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  action: Type.Optional(Type.Enum(RISK_ACTIONS)),
  reason: Type.Optional(Type.Enum(RISK_REASON_CODES)),
  outcome: Type.Optional(Type.Enum(ATTEMPT_OUTCOMES)),
  since: Type.Optional(Time),
  until: Type.Optional(Time),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ATTEMPTS_MAX_LIMIT })),
}, { additionalProperties: false });
export type AttemptQuery = Static<typeof AttemptQuery>;

export const STATS_BUCKETS = ['minute', 'hour', 'day'] as const;
export type StatsBucket = (typeof STATS_BUCKETS)[number];

export const StatsQuery = Type.Object({
  since: Type.Optional(Time),
  until: Type.Optional(Time),
  bucket: Type.Optional(Type.Enum(STATS_BUCKETS)),
}, { additionalProperties: false });
export type StatsQuery = Static<typeof StatsQuery>;

export const RiskStats = Type.Object({
  buckets: Type.Array(Type.Object({
    start: Time, attempts: Type.Integer(), allowed: Type.Integer(), challenged: Type.Integer(), denied: Type.Integer(),
    captcha_passed: Type.Integer(), captcha_failed: Type.Integer(), succeeded: Type.Integer(),
  })),
  reasons: Type.Array(Type.Object({
    code: Type.String(), fired: Type.Integer(), challenged: Type.Integer(), passed: Type.Integer(), failed: Type.Integer(),
    solve_rate: Nullable(Type.Number()),
  })),
  provider: Type.Object({ verifications: Type.Integer(), unreachable: Type.Integer(), p50_ms: Nullable(Type.Integer()), p99_ms: Nullable(Type.Integer()) }),
});
export type RiskStats = Static<typeof RiskStats>;

export const ExplainQuery = Type.Object({
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
export type ExplainQuery = Static<typeof ExplainQuery>;

/** An actionable hint for one firing reason; `fix` is a fragment of the policy document to merge, or null. */
export const ReasonHint = Type.Object({
  code: Type.String(),
  hint: Type.String(),
  fix: Nullable(Type.Record(Type.String(), Type.Unknown())),
  /** A management call that lifts the cause instead (an unlock, a counter reset), when one exists. */
  action: Type.Optional(Type.String()),
});
export type ReasonHint = Static<typeof ReasonHint>;

export const RiskExplanation = Type.Object({
  subject: Type.Object({ email: Nullable(Type.String()), ip: Nullable(Type.String()) }),
  verdict: Type.Object({
    action: Type.Enum(RISK_ACTIONS), score: Type.Integer(), monitor_only: Type.Boolean(),
    reasons: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  }),
  signals: AttemptSignals,
  assumptions: Type.Object({ device_confidence: Type.Number() }),
  counters_available: Type.Boolean(),
  locks: Type.Array(Type.Object({ scope: Type.String(), until: Time })),
  attempts: Type.Array(Attempt),
  hints: Type.Array(ReasonHint),
});
export type RiskExplanation = Static<typeof RiskExplanation>;

/** Most attempts one simulation replays (the newest of the window); `truncated` says when the window held more. */
export const SIMULATE_MAX_ATTEMPTS = 100_000;
/** Longest window of stats and simulation, in days. */
export const ANALYTICS_MAX_WINDOW_DAYS = 31;

export const SimulateBody = Type.Object({
  policy: Type.Record(Type.String(), Type.Unknown(), { description: 'A policy document as for PUT /api/v1/risk/policy; omitted fields take their defaults.' }),
  since: Type.Optional(Time),
  until: Type.Optional(Time),
}, { additionalProperties: false });
export type SimulateBody = Static<typeof SimulateBody>;

const Actions = Type.Object({ allow: Type.Integer(), challenge: Type.Integer(), deny: Type.Integer() });
export const SimulationResult = Type.Object({
  attempts: Type.Integer(),
  current: Actions,
  candidate: Actions,
  changed: Type.Object({ newly_allowed: Type.Integer(), newly_challenged: Type.Integer(), newly_denied: Type.Integer() }),
  humans: Type.Object({ total: Type.Integer(), newly_challenged: Type.Integer(), newly_denied: Type.Integer() }),
  suspects: Type.Object({ total: Type.Integer(), newly_allowed: Type.Integer() }),
  by_reason: Type.Array(Type.Object({ code: Type.String(), current: Type.Integer(), candidate: Type.Integer() })),
  samples: Type.Array(Type.String()),
});
export type SimulationResult = Static<typeof SimulationResult>;

export const SimulationMeta = Type.Object({ since: Time, until: Time, truncated: Type.Boolean() });
