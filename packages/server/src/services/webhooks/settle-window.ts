import type { StoreOps } from '../../ports/store.js';
import type { GroupCommit } from '../group-commit.js';

/**
 * Holds attempt outcomes for up to `windowMs`, then hands them to the group commit in one turn, so
 * they share one transaction (one fsync on SQLite). The group commit alone batches what arrives in
 * the same I/O turn, and receivers' answers arrive one per turn: every outcome was its own fsync,
 * on the event loop, which capped dispatch and slowed sign-ins. A few milliseconds later in the
 * delivery log costs nothing; the lease (timeout + 5 s) still covers the attempt and its settle.
 */
export function createSettleWindow(commit: GroupCommit, windowMs: number) {
  let held: Array<() => void> = [];
  const release = () => {
    const units = held;
    held = [];
    for (const unit of units) unit();
  };
  return <T>(work: (tx: StoreOps) => Promise<T>): Promise<T> => new Promise<T>((resolve, reject) => {
    held.push(() => { commit.run(work).then(resolve, reject); });
    if (held.length === 1) setTimeout(release, windowMs);
  });
}
