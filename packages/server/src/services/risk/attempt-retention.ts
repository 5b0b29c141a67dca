import type { Clock } from '../../ports/clock.js';
import type { AttemptStore } from '../../ports/attempts.js';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: a large backlog is cleared without one long lock on the table. */
export const PRUNE_BATCH = 1000;
/** How often the log is pruned. */
export const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * Deletes attempts older than the retention, batch by batch, yielding between batches so that
 * sign-ins keep their turn. Safe on every instance at once: each batch deletes what is still there.
 */
export async function pruneAttempts(attempts: AttemptStore, clock: Clock, retentionDays: number, batch = PRUNE_BATCH): Promise<number> {
  const before = clock.now() - retentionDays * DAY_MS;
  let total = 0;
  for (;;) {
    const deleted = await attempts.prune(before, batch);
    total += deleted;
    if (deleted < batch) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Prunes now and then every `intervalMs`; the timer never keeps the process alive. Stopping waits for a prune under way. */
export function startAttemptPruning(prune: () => Promise<unknown>, intervalMs = PRUNE_INTERVAL_MS): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  // A failed prune (database briefly down) is retried on the next tick; it must not crash the process.
  const tick = () => { if (!running) running = prune().catch(() => {}).finally(() => { running = undefined; }); };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
