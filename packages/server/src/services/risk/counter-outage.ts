import type { Deps } from '../deps.js';
import { CounterStoreUnavailableError } from '../../ports/counters.js';

const AUDIT_EVERY_MS = 60_000;
const lastAudit = new WeakMap<Deps, Map<string, number>>();

/**
 * Redis down: the engine is blind, so every sign-in is challenged (a human still gets in, a bot
 * does not). Audited once a minute per tenant and instance, not once per request, so an outage
 * does not also flood the audit log.
 */
export async function counterOutage(deps: Deps, tenantId: string, operation: string): Promise<void> {
  const seen = lastAudit.get(deps) ?? new Map<string, number>();
  lastAudit.set(deps, seen);
  const now = deps.clock.now();
  if (now - (seen.get(tenantId) ?? -Infinity) < AUDIT_EVERY_MS) return;
  seen.set(tenantId, now);
  await deps.auditWriter.record({ tenantId }, {
    type: 'security.counter_store_unavailable', outcome: 'failure', actor: { kind: 'system', id: null },
    target: { kind: 'counter_store', id: null }, data: { operation },
  });
}

/** Runs a counter operation; if the store is down, audits the outage and answers null instead of throwing. */
export async function withCounters<T>(deps: Deps, tenantId: string, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CounterStoreUnavailableError)) throw error;
    await counterOutage(deps, tenantId, error.operation);
    return null;
  }
}
