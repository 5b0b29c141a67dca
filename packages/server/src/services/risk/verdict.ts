import type { RiskDecision } from '../../domain/risk/evaluate.js';
import type { RiskVerdict } from '../risk-gate.js';

/** The decision as audited (`context.risk`): under monitor_only the action reads `monitor:<what enforcement would do>`. */
export function riskOf(d: RiskDecision): RiskVerdict {
  return { score: d.score, action: d.enforced ? d.action : `monitor:${d.wouldBe?.action ?? d.action}`, reasons: d.reasons };
}
