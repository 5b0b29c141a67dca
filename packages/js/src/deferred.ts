/** A promise with its settlers outside, remembering whether it settled. */
export interface Deferred<T> {
  promise: Promise<T>;
  settled: boolean;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Creates a {@link Deferred}; its rejection is marked handled, since nobody may be waiting yet. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {});
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve(value) { d.settled = true; resolve(value); },
    reject(error) { d.settled = true; reject(error); },
  };
  return d;
}
