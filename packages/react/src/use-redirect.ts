import type { PortcullisClientError, RedirectResult } from '@portcullis/js';
import { useEffect, useState } from 'react';
import { usePortcullisContext } from './context.js';
import { toClientError } from './errors.js';

/** What {@link useRedirectCallback} reports: `null` both while the exchange runs. */
export interface RedirectCallbackState {
  result: RedirectResult | null;
  error: PortcullisClientError | null;
}

/**
 * For the component at the redirect URI: finishes `signInWithRedirect` once (React StrictMode
 * runs effects twice; the code and its state are single use, so both runs share one exchange),
 * takes the code out of the address bar, and leaves the session in the provider, so `useAuth()`
 * sees the person signed in.
 */
export function useRedirectCallback(url?: string): RedirectCallbackState {
  const { store } = usePortcullisContext('useRedirectCallback()');
  // Read once, in the first render: the address changes (the code is removed) before a second effect run.
  const [href] = useState(() => url ?? location.href);
  const [state, setState] = useState<RedirectCallbackState>({ result: null, error: null });
  useEffect(() => {
    let live = true;
    const pending = store.handleRedirectCallback(href);
    // A code left in history is a code someone may try to replay.
    if (url === undefined && location.href === href) history.replaceState(history.state, '', location.pathname + location.hash);
    pending.then(
      (result) => { if (live) setState({ result, error: null }); },
      (caught: unknown) => { if (live) setState({ result: null, error: toClientError(caught) }); },
    );
    return () => { live = false; };
  }, [store, href, url]);
  return state;
}
