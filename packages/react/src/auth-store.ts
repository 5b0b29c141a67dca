import type { AuthClient, PortcullisClientError, RedirectResult, RedirectSignInOptions, Session } from '@portcullis/js';
import { toClientError } from './errors.js';

/** The part of {@link AuthClient} the store drives. */
export type AuthClientLike = Pick<AuthClient, 'session' | 'onChange' | 'signIn' | 'signOut' | 'getAccessToken'
  | 'signUp' | 'requestPasswordReset' | 'confirmPasswordReset' | 'signInWithRedirect' | 'handleRedirectCallback'>;

/** One immutable snapshot; a new object on every change, the same object otherwise. */
export interface AuthState {
  readonly session: Session | null;
  /** A sign-in or sign-out is in flight. */
  readonly loading: boolean;
  /** What the last sign-in or sign-out failed with; cleared by the next attempt or a new session. */
  readonly error: PortcullisClientError | null;
}

/** A `useSyncExternalStore`-shaped store over one {@link AuthClient}. */
export interface AuthStore {
  getState(): AuthState;
  subscribe(listener: () => void): () => void;
  /** Rejects with the same {@link PortcullisClientError} it puts in `error`. */
  signIn(email: string, password: string): Promise<Session>;
  signOut(): Promise<void>;
  getAccessToken(): Promise<string | null>;
  /** Leaves for the hosted page (OIDC code flow); `loading` stays on until the page is gone. */
  signInWithRedirect(options: RedirectSignInOptions): Promise<void>;
  /** Finishes the redirect sign-in once per address: a second call (React StrictMode) shares the first. */
  handleRedirectCallback(url?: string): Promise<RedirectResult>;
  /** The client itself, for the account forms (their state is their own, not the session's). */
  readonly client: AuthClientLike;
}

/**
 * The provider's state machine, free of React so it can be tested as plain functions.
 * It listens to the client only while someone listens to it: an unmounted provider leaves no
 * listener behind on a client the app may keep using.
 */
export function createAuthStore(client: AuthClientLike): AuthStore {
  let state: AuthState = { session: client.session, loading: false, error: null };
  const listeners = new Set<() => void>();
  let detach: (() => void) | undefined;
  // Only the newest operation settles `loading` and `error`: a slow first attempt finishing
  // after a second one started must not hide the second one's busy state or error.
  let latest = 0;

  const set = (patch: Partial<AuthState>): void => {
    const next = { ...state, ...patch };
    if (next.session === state.session && next.loading === state.loading && next.error === state.error) return;
    state = next;
    for (const listener of [...listeners]) listener();
  };

  // A session appearing (here or through another caller of the client) ends any shown error.
  const onSession = (session: Session | null) => set(session ? { session, error: null } : { session });

  async function run<T>(operation: () => Promise<T>, settled: () => Partial<AuthState>): Promise<T> {
    const seq = ++latest;
    set({ loading: true, error: null });
    try {
      const value = await operation();
      if (seq === latest) set({ loading: false, ...settled() });
      return value;
    } catch (caught) {
      const error = toClientError(caught);
      if (seq === latest) set({ session: client.session, loading: false, error });
      throw error;
    }
  }

  // The callback's state is single use: a second exchange of the same address would fail.
  const callbacks = new Map<string, Promise<RedirectResult>>();

  return {
    client,
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      if (!detach) {
        detach = client.onChange(onSession);
        set({ session: client.session }); // it may have changed while nobody listened
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          detach?.();
          detach = undefined;
        }
      };
    },
    signIn: (email, password) => run(() => client.signIn({ email, password }), () => ({ session: client.session })),
    signOut: () => run(() => client.signOut(), () => ({ session: client.session })),
    getAccessToken: () => client.getAccessToken(),
    signInWithRedirect: (options) => run(() => client.signInWithRedirect(options), () => ({ loading: true })),
    handleRedirectCallback(url) {
      const href = url ?? location.href;
      let pending = callbacks.get(href);
      if (!pending) {
        pending = run(() => client.handleRedirectCallback(url), () => ({ session: client.session }));
        callbacks.set(href, pending);
      }
      return pending;
    },
  };
}
