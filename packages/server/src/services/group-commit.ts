import type { AuditInput, Store, StoreOps } from '../ports/store.js';

/**
 * Group commit: writes from concurrent requests share one database transaction, so one fsync
 * serves many of them, and every caller still waits until its own rows are durable (nothing is
 * acknowledged before its commit). If a shared batch fails, each unit is retried alone, so one bad
 * unit cannot fail its neighbours.
 */
export interface GroupCommit {
  /** Runs `work` in a transaction shared with other callers' work; resolves after the commit. */
  run<T>(work: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Appends audit events in the next shared transaction (batched per tenant chain). */
  audit(inputs: AuditInput[]): Promise<void>;
}

interface Unit {
  work?: (tx: StoreOps) => Promise<unknown>;
  audit?: AuditInput[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * `inFlight`: batches whose transactions may overlap. On SQLite the one connection runs them one
 * after the other anyway, and a batch waits for its WAL flush after releasing the connection: a
 * second batch commits during the first one's flush, and the disk's flushes follow back to back.
 * On PostgreSQL batches stay one at a time: two batches locking several tenants' audit heads in
 * different orders could deadlock.
 */
export function createGroupCommit(store: Store, maxBatch = 128, inFlight = store.dialect === 'sqlite' ? 2 : 1): GroupCommit {
  let queue: Unit[] = [];
  let running = 0;
  let scheduled = false;

  async function execute(tx: StoreOps, units: Unit[]): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const unit of units) results.push(unit.work ? await unit.work(tx) : undefined);
    const audit = units.flatMap((u) => u.audit ?? []);
    if (audit.length > 0) await tx.audit.appendMany(audit);
    return results;
  }

  async function commit(batch: Unit[]): Promise<void> {
    try {
      const results = await store.transaction((tx) => execute(tx, batch));
      batch.forEach((unit, i) => unit.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const unit of batch) await store.transaction((tx) => execute(tx, [unit])).then((r) => unit.resolve(r[0]), unit.reject);
    }
  }

  /** Starts batches while slots are free; each finished batch takes the requests that queued meanwhile. */
  function pump(): void {
    while (running < inFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      running += 1;
      void commit(batch).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  function enqueue<T>(unit: Omit<Unit, 'resolve' | 'reject'>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ ...unit, resolve: resolve as (v: unknown) => void, reject });
      if (running < inFlight && !scheduled) {
        // Start after the pending I/O callbacks: requests arriving in the same turn join this batch.
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          pump();
        });
      }
    });
  }

  return {
    run: (work) => enqueue({ work }),
    audit: (inputs) => enqueue({ audit: inputs }),
  };
}
