import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics on a registry of this app's own (never the global one: several apps share a test process). */
export interface Metrics {
  registry: Registry;
  signIns: Counter<'outcome'>;
  signInDuration: Histogram<'outcome'>;
  clientTokens: Counter<'outcome'>;
  riskDecisions: Counter<'action' | 'reason'>;
  /** Sign-ins answered before their body was read, or whose refusal waited for the refusal budget. */
  refusalBudget: Counter<'result'>;
}

export function createMetrics(options: { processMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    signIns: new Counter({ name: 'portcullis_sign_ins_total', help: 'Password sign-in attempts by outcome (success or error code).', labelNames: ['outcome'], registers: [registry] }),
    signInDuration: new Histogram({
      name: 'portcullis_sign_in_duration_seconds', help: 'Sign-in latency by outcome.', labelNames: ['outcome'], registers: [registry],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    clientTokens: new Counter({ name: 'portcullis_client_credentials_total', help: 'Client-credentials token requests by outcome.', labelNames: ['outcome'], registers: [registry] }),
    refusalBudget: new Counter({ name: 'portcullis_refusal_budget_total', help: 'Sign-in refusals by what the per-process refusal budget did: waited, over_wait (answered at once past the bound), shed_blocked (429 before the body), shed_overload (503 before the body).', labelNames: ['result'], registers: [registry] }),
    riskDecisions: new Counter({ name: 'portcullis_risk_decisions_total', help: 'Risk decisions by action and firing reason.', labelNames: ['action', 'reason'], registers: [registry] }),
  };
}
