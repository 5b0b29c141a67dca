import type { StoreOps } from '../../ports/store.js';
import type { GroupCommit } from '../group-commit.js';

/** A successful attempt, as `settleDelivered` records it. */
export interface Delivered { id: string; atMs: number; status: number }

export interface SettleWindow {
  /** Records a success; several within the window become one statement. */
  delivered(outcome: Delivered): Promise<void>;
  /** Runs other outcome work (failures, audited disables) in the window's shared commit. */
  run<T>(work: (tx: StoreOps) => Promise<T>): Promise<T>;
}

/**
 * Holds attempt outcomes for up to `windowMs`, then hands them to the group commit in one turn, so
 * they share one transaction (one fsync on SQLite), and writes the successes with one statement.
 * The group commit alone batches what arrives in the same I/O turn, and receivers' answers arrive
 * one per turn: every outcome was its own fsync on the event loop, plus two statements, which
 * capped dispatch and slowed sign-ins. A few milliseconds later in the delivery log cost nothing;
 * the lease (timeout + 5 s) still covers the attempt and its settle.
 */
export function createSettleWindow(commit: GroupCommit, owner: string, windowMs: number): SettleWindow {
  let held: Array<() => void> = [];
  let successes: Array<{ outcome: Delivered; done(): void; fail(e: unknown): void }> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const release = () => {
    timer = undefined;
    const units = held;
    const batch = successes;
    held = [];
    successes = [];
    if (batch.length > 0) {
      commit.run((tx) => tx.webhooks.settleDelivered(owner, batch.map((b) => b.outcome))).then(
        () => { for (const b of batch) b.done(); },
        (e: unknown) => { for (const b of batch) b.fail(e); },
      );
    }
    for (const unit of units) unit();
  };
  const arm = () => { timer ??= setTimeout(release, windowMs); };
  return {
    delivered: (outcome) => new Promise<void>((done, fail) => { successes.push({ outcome, done, fail }); arm(); }),
    run: <T>(work: (tx: StoreOps) => Promise<T>) => new Promise<T>((resolve, reject) => {
      held.push(() => { commit.run(work).then(resolve, reject); });
      arm();
    }),
  };
}
