import type { PortcullisClientError, RedirectSignInOptions, Session } from '@portcullis/js';
import { useMemo, useSyncExternalStore } from 'react';
import { usePortcullisContext } from './context.js';

/** The signed-in user, as far as the session tells. */
export interface AuthUser {
  id: string;
}

/** What {@link useAuth} returns; the functions keep their identity across renders. */
export interface UseAuthResult {
  user: AuthUser | null;
  session: Session | null;
  /** A sign-in or sign-out is in flight (including a captcha or email-code step). */
  loading: boolean;
  /** The last sign-in or sign-out failure; switch on `error.code`. */
  error: PortcullisClientError | null;
  /** Signs in, solving captcha and email-code steps in the SDK; rejects with the error it also sets. */
  signIn(email: string, password: string): Promise<Session>;
  signOut(): Promise<void>;
  /** A valid access token (refreshed when near expiry), or null when signed out. */
  getAccessToken(): Promise<string | null>;
  /** Sends the browser to the hosted sign-in page (OIDC code flow, PKCE); finish with `useRedirectCallback()`. */
  signInWithRedirect(options: RedirectSignInOptions): Promise<void>;
}

/** The session state of the nearest `<PortcullisProvider>`, and the actions on it. */
export function useAuth(): UseAuthResult {
  const { store } = usePortcullisContext('useAuth()');
  const state = useSyncExternalStore(store.subscribe, store.getState, store.getState);
  const userId = state.session?.userId;
  const user = useMemo(() => (userId === undefined ? null : { id: userId }), [userId]);
  return useMemo(() => ({
    user,
    session: state.session,
    loading: state.loading,
    error: state.error,
    signIn: store.signIn,
    signOut: store.signOut,
    getAccessToken: store.getAccessToken,
    signInWithRedirect: store.signInWithRedirect,
  }), [user, state, store]);
}
