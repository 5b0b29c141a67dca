import { closeSync, fdatasync, openSync } from 'node:fs';

/**
 * Durable SQLite commits without an fsync on the event loop. SQLite runs WAL with
 * `synchronous=NORMAL`, which is `FULL` minus one step: the fdatasync of the WAL after each commit.
 * This takes that step itself, on libuv's thread pool, and every writer waits for an fdatasync that
 * started after its commit before it may answer — so nothing is acknowledged before it is on disk,
 * as with FULL, while the event loop keeps serving other requests during the disk's flush.
 * Concurrent commits share one fdatasync (group commit at the disk): a writer joins a flush already
 * covering its write, or the next one.
 */
export interface WalSync {
  /** A write statement is about to run; returns its sequence number. */
  wrote(): number;
  /** The last write's sequence number (taken when a connection is released). */
  readonly written: number;
  /** Resolves once an fdatasync that started after write `seq` has completed; undefined if one already has. */
  durable(seq: number): Promise<void> | undefined;
  close(): void;
}

type Flush = (fd: number) => Promise<void>;

const flushFile: Flush = (fd) => new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

/** `walFile` is the database file's `-wal` companion; it exists once the first write has run. */
export function createWalSync(walFile: string, flush: Flush = flushFile): WalSync {
  let fd: number | undefined;
  let written = 0;
  let synced = 0;
  let running: { upTo: number; done: Promise<void> } | null = null;
  let queued: Promise<void> | null = null;

  function start(): Promise<void> {
    const upTo = written;
    // Opened lazily: SQLite creates the WAL at its first write, and keeps the same file (reset, not
    // deleted) while its connection is open.
    fd ??= openSync(walFile, 'r+');
    const done = flush(fd).then(() => { synced = Math.max(synced, upTo); });
    const entry = { upTo, done: done.finally(() => { if (running === entry) running = null; }) };
    running = entry;
    return entry.done;
  }

  return {
    wrote: () => ++written,
    get written() { return written; },
    durable(seq) {
      if (seq <= synced) return undefined;
      if (running && running.upTo >= seq) return running.done;
      if (!running) return start();
      // A flush is running but started before this write: the next one (shared by all who wait) covers it.
      queued ??= running.done.catch(() => {}).then(() => {
        queued = null;
        return written <= synced ? undefined : start();
      });
      return queued;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
