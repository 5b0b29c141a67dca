import type { Counters } from '../../ports/counters.js';
import { FAILURE_COUNTERS } from '../../domain/risk/signals.js';
import type { FailureCounter, FailureCounts, OwnerRecognition } from '../../domain/risk/signals.js';
import type { FailureHits } from './subjects.js';

/** What the counter store says about one attempt, by counter name. */
export interface CounterSignals {
  counts: FailureCounts;
  /** When each live counter's window ends (epoch ms). */
  resetAt: Partial<Record<FailureCounter, number>>;
  /** Set when a recognition mark for this account is present (the device one wins). */
  owner?: OwnerRecognition;
}

const MARKS: readonly OwnerRecognition[] = ['device', 'address'];

/** The failure counters with their windows and the owner's recognition marks, in one round trip. */
export async function readCounterSignals(counters: Counters, hits: FailureHits, marks: Partial<Record<OwnerRecognition, string>>, now: number): Promise<CounterSignals> {
  const present = MARKS.filter((m) => marks[m] !== undefined);
  const readings = await counters.inspect([...FAILURE_COUNTERS.map((name) => hits[name].key), ...present.map((m) => marks[m]!)]);
  const counts = { ipFailures: 0, accountFailures: 0, lockoutAccountIp: 0, lockoutAccount: 0, lockoutIp: 0 };
  const resetAt: CounterSignals['resetAt'] = {};
  FAILURE_COUNTERS.forEach((name, i) => {
    const reading = readings[i];
    counts[name] = reading?.count ?? 0;
    if (reading && reading.ttlMs > 0) resetAt[name] = now + reading.ttlMs;
  });
  const owner = present.find((_, i) => (readings[FAILURE_COUNTERS.length + i]?.count ?? 0) > 0);
  return owner === undefined ? { counts, resetAt } : { counts, resetAt, owner };
}

/** Adds one to each named counter in one round trip and answers the new counts by name. */
export async function hitNamed(counters: Counters, hits: FailureHits, names: readonly FailureCounter[]): Promise<Partial<Record<FailureCounter, number>>> {
  const counts = await counters.hit(names.map((name) => hits[name]));
  return Object.fromEntries(names.map((name, i) => [name, counts[i] ?? 0]));
}
