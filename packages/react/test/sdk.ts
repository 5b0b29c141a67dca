import type { Session } from '@portcullis/js';

/**
 * `@portcullis/js` is not linked into node_modules (not a root workspace) and the root vitest
 * config has no alias for it, so each test file maps it to the SDK's source with
 * `vi.mock('@portcullis/js', () => import('./sdk.js').then((m) => m.loadSdk()))`.
 */
export const loadSdk = () => import('../../js/src/index.js');

/** A settle-by-hand promise: the test decides when a sign-in finishes. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

export const aSession = (userId = 'usr_1'): Session =>
  Object.freeze({ id: 'ses_1', userId, accessToken: 'at', expiresAt: 1_000_000 });

/** A stand-in for `AuthClient` with the same public surface; each call takes the next queued answer. */
export class FakeClient {
  session: Session | null = null;
  readonly listeners = new Set<(session: Session | null) => void>();
  readonly calls: string[] = [];
  readonly signIns: ReturnType<typeof deferred<Session>>[] = [];
  signOutResult: Promise<void> = Promise.resolve();

  onChange(listener: (session: Session | null) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  signIn(input: { email: string; password: string }): Promise<Session> {
    this.calls.push(`signIn ${input.email}`);
    const d = deferred<Session>();
    this.signIns.push(d);
    return d.promise.then((session) => { this.emit(session); return session; });
  }

  async signOut(): Promise<void> {
    this.calls.push('signOut');
    this.emit(null); // like the SDK: local state goes even if the server call fails
    return this.signOutResult;
  }

  async getAccessToken(): Promise<string | null> {
    return this.session?.accessToken ?? null;
  }

  emit(session: Session | null): void {
    this.session = session;
    for (const l of [...this.listeners]) l(session);
  }
}
