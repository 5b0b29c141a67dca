import type { AttemptRow } from '../../src/ports/attempts.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const zero = { ipFailures: 0, accountFailures: 0, lockoutAccountIp: 0, lockoutAccount: 0, lockoutIp: 0 };

/** One recorded attempt as the gate would have logged it: a clean allow unless told otherwise. */
export function recorded(tenantId: string, over: Partial<Omit<AttemptRow, 'id'>> & Pick<AttemptRow, 'ip' | 'outcome'>): Omit<AttemptRow, 'id'> {
  return {
    tenantId, occurredMs: T0 - 3_600_000, email: 'someone@example.com', userId: null, visitorId: null, score: 0, action: 'allow', monitorOnly: false,
    reasons: [], ipHits: [], trustedNetwork: false, counts: zero, locks: {}, deviceConfidence: 1, deviceFactors: [],
    challenge: null, challengeResult: null, challengeId: null, captchaResult: null, captchaLatencyMs: null, ...over,
  };
}

