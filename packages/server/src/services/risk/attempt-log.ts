import { PortcullisError, type AttemptOutcome, type Device } from '@portcullis/protocol';
import type { Clock } from '../../ports/clock.js';
import type { StoreOps } from '../../ports/store.js';
import type { AttemptKind, AttemptRow, CaptchaSettlement } from '../../ports/attempts.js';
import type { GroupCommit } from '../group-commit.js';
import type { RequestContext } from '../context.js';
import type { RiskDecision } from '../../domain/risk/evaluate.js';
import type { RiskSignals } from '../../domain/risk/signals.js';
import type { CaptchaCheck } from '../captcha/check.js';
import { deviceConfidence } from '../../domain/risk/device-confidence.js';

/** A solved token is good for 300 s (DESIGN §6): a sign-in carrying one later than that is a new attempt. */
export const CAPTCHA_LINK_WINDOW_MS = 300_000;

/**
 * One password sign-in attempt as the decision log sees it: the gate says what it decided, the
 * captcha step what the provider said, and the sign-in how it ended. Nothing is written before
 * `settle`, and then once, in the group commit (no fsync of its own on the hot path).
 */
export interface AttemptHandle {
  decide(signals: RiskSignals, decision: RiskDecision): void;
  captcha(check: CaptchaCheck): void;
  /** `outcome` is `success` or the error code the sign-in answered; `error` carries an email challenge's id. */
  settle(outcome: string, error?: unknown): void;
}

export interface AttemptLog {
  /** `kind`: the door (DESIGN §19), `login` unless said. */
  begin(ctx: RequestContext, email: string, device: Device | undefined, kind?: AttemptKind): AttemptHandle;
  /** An email code was entered for challenge `challengeId`: moves its attempt on. */
  settleEmailOtp(tenantId: string, challengeId: string, passed: boolean): void;
  /** Resolves once every write this instance started has committed, so its own reads see them. */
  flushed(): Promise<void>;
}

const NOOP: AttemptHandle = { decide() {}, captcha() {}, settle() {} };

const DIRECT = new Set<string>(['success', 'captcha_required', 'captcha_unavailable', 'email_otp_required', 'invalid_credentials',
  'account_disabled', 'account_locked', 'rate_limited', 'sign_in_denied', 'email_not_verified']);

function outcomeOf(code: string, captcha: CaptchaCheck | undefined): AttemptOutcome {
  if (DIRECT.has(code)) return code as AttemptOutcome;
  if (code === 'captcha_invalid') return 'captcha_failed';
  return captcha?.kind === 'passed' ? 'captcha_passed' : 'error';
}

function captchaResultOf(check: CaptchaCheck): string {
  if (check.kind === 'failed') return check.called ? 'failed' : 'invalid';
  return check.kind;
}

/** A row to insert, a settlement to try, or both: the row is inserted only when the settlement found nothing. */
interface Op {
  row?: Omit<AttemptRow, 'id'>;
  settle?: (tx: StoreOps) => Promise<unknown>;
}

async function applyOps(tx: StoreOps, ops: readonly Op[]): Promise<void> {
  let rows: Array<Omit<AttemptRow, 'id'>> = [];
  for (const op of ops) {
    if (!op.settle) {
      rows.push(op.row!);
      continue;
    }
    if (rows.length > 0) await tx.attempts.insertMany(rows);
    rows = [];
    if (!(await op.settle(tx)) && op.row) rows.push(op.row);
  }
  if (rows.length > 0) await tx.attempts.insertMany(rows);
}

/** How long the provider took; none when it was not called (local refusal, open breaker). */
function latencyOf(check: CaptchaCheck): number | null {
  if (check.kind === 'passed') return Math.round(check.latencyMs);
  if (check.kind === 'unreachable' && !check.circuitOpen) return Math.round(check.latencyMs);
  return null;
}

/** Creates the log; a disabled one records nothing (the benchmarks' baseline). */
export function createAttemptLog(commit: GroupCommit, clock: Clock, options: { enabled?: boolean } = {}): AttemptLog {
  const pending = new Set<Promise<unknown>>();
  const track = (write: Promise<unknown>) => {
    // A lost log row must never cost a sign-in its answer: the write runs beside the request.
    const p = write.catch(() => {}).finally(() => pending.delete(p));
    pending.add(p);
  };
  const enabled = options.enabled ?? true;
  // Writes of one turn become one unit of the group commit: plain rows in one multi-row insert,
  // settlements in arrival order (an insert before a later settlement of the same client lands first).
  let queue: Op[] = [];
  const enqueue = (op: Op) => {
    if (queue.length === 0) {
      setImmediate(() => {
        const ops = queue;
        queue = [];
        track(commit.run((tx) => applyOps(tx, ops)));
      });
    }
    queue.push(op);
  };

  return {
    begin(ctx, email, device, kind = 'login') {
      if (!enabled) return NOOP;
      let seen: { signals: RiskSignals; decision: RiskDecision } | undefined;
      let check: CaptchaCheck | undefined;
      return {
        decide(signals, decision) { seen = { signals, decision }; },
        captcha(result) { check = result; },
        settle(code, error) {
          if (!seen) return;
          const { signals, decision } = seen;
          const now = clock.now();
          const outcome = outcomeOf(code, check);
          const details = error instanceof PortcullisError ? error.details : undefined;
          const challengeId = outcome === 'email_otp_required' && typeof details?.['challenge_id'] === 'string' ? details['challenge_id'] : null;
          const challenge = challengeId !== null ? 'email_otp' : check || outcome === 'captcha_required' ? 'captcha' : null;
          const challengeResult = check?.kind === 'passed' ? 'passed' : check?.kind === 'failed' ? 'failed' : null;
          const captchaResult = check ? captchaResultOf(check) : null;
          const captchaLatencyMs = check ? latencyOf(check) : null;
          const visitorId = device?.visitor_id ?? null;
          const row: Omit<AttemptRow, 'id'> = {
            tenantId: ctx.tenant.id, kind, occurredMs: now, ip: ctx.ip, email, userId: null, visitorId,
            score: decision.score, action: decision.wouldBe?.action ?? decision.action, monitorOnly: !decision.enforced,
            reasons: decision.reasons as AttemptRow['reasons'], ipHits: signals.ipHits, trustedNetwork: signals.trustedNetwork,
            counts: signals.counts, locks: signals.locks, deviceConfidence: signals.deviceConfidence,
            deviceFactors: deviceConfidence(device?.signals).factors,
            outcome, challenge, challengeResult, challengeId, captchaResult, captchaLatencyMs,
          };
          if (!check) return enqueue({ row });
          // A solved (or failed) token continues the attempt that asked for it, on whichever instance that was.
          const settlement: CaptchaSettlement = { outcome, challenge: challenge ?? 'captcha', challengeId, challengeResult, captchaResult: captchaResult!, captchaLatencyMs };
          const match = { email, ip: ctx.ip, visitorId, sinceMs: now - CAPTCHA_LINK_WINDOW_MS, kind };
          enqueue({ row, settle: (tx) => tx.attempts.settleCaptcha(ctx.tenant.id, match, settlement, now) });
        },
      };
    },
    settleEmailOtp(tenantId, challengeId, passed) {
      if (enabled) enqueue({ settle: (tx) => tx.attempts.settleEmailOtp(tenantId, challengeId, passed, clock.now()) });
    },
    async flushed() {
      if (queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([...pending]);
    },
  };
}
