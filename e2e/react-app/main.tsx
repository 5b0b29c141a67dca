import type { AuthClientOptions } from '@portcullis/js';
import { ForgotPassword, PortcullisProvider, ResetPassword, SignIn, SignUp, useAuth, useRedirectCallback } from '@portcullis/react';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

declare global {
  interface Window {
    /** Set by a test before this script runs: extra client options (`scriptUrls` for the emulator, …). */
    __PORTCULLIS__?: AuthClientOptions & { mode?: string; clientId?: string };
  }
}

// `?baseUrl=http://127.0.0.1:3000&tenant=demo` wins over the window global, which wins over the defaults.
const query = new URLSearchParams(location.search);
const injected = window.__PORTCULLIS__ ?? {};
const { mode: _mode, clientId: _clientId, ...clientOptions } = injected;
const options: AuthClientOptions = {
  ...clientOptions,
  baseUrl: query.get('baseUrl') ?? injected.baseUrl ?? location.origin,
  tenant: query.get('tenant') ?? injected.tenant ?? 'demo',
};

// `?mode=signup|forgot|reset|redirect&clientId=…` (`reset` with the mailed `token`) picks what the signed-out app shows; `/callback` finishes a redirect sign-in.
const mode = query.get('mode') ?? injected.mode;
const clientId = query.get('clientId') ?? injected.clientId ?? '';

/** The redirect sign-in's start: the hosted page signs the person in and sends them back to /callback. */
function RedirectStart() {
  const { signInWithRedirect, loading, error } = useAuth();
  const start = () => void signInWithRedirect({ clientId, redirectUri: `${location.origin}/callback`, state: '/inbox' }).catch(() => {});
  return (
    <>
      <button type="button" onClick={start} aria-disabled={loading || undefined}>Sign in with Portcullis</button>
      {error ? <p role="alert">{error.code}</p> : null}
    </>
  );
}

/** The redirect URI: exchange the code, then prove the tokens work by asking userinfo with them. */
function Callback() {
  const { result, error } = useRedirectCallback();
  const { getAccessToken } = useAuth();
  const [info, setInfo] = useState('');
  useEffect(() => {
    if (!result) return;
    void getAccessToken().then((token) => fetch(`${result.claims.iss}/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } }))
      .then((res) => res.json()).then((body: { email?: string }) => setInfo(body.email ?? 'none'));
  }, [result, getAccessToken]);
  if (error) return <p role="alert" data-testid="callback-error">{error.code}</p>;
  if (!result) return <p>Finishing sign-in…</p>;
  return (
    <p>
      <span data-testid="redirect-done">Signed in as {result.claims.email}, back to {result.state}</span>{' '}
      userinfo: <span data-testid="userinfo">{info}</span>
    </p>
  );
}

function App() {
  const { user, signOut } = useAuth();
  if (location.pathname.endsWith('/callback')) return <Callback />;
  if (!user) {
    if (mode === 'signup') return <SignUp />;
    if (mode === 'forgot') return <ForgotPassword />;
    // The app's own reset route: the token of the mailed link, handed to <ResetPassword/>.
    if (mode === 'reset') return <ResetPassword token={query.get('token') ?? ''} minLength={10} />;
    if (mode === 'redirect') return <RedirectStart />;
    return <SignIn />;
  }
  return (
    <p>
      <span data-testid="signed-in">Signed in as {user.id}</span>{' '}
      <button type="button" onClick={() => void signOut().catch(() => {})}>Sign out</button>
    </p>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PortcullisProvider options={options}>
      <App />
    </PortcullisProvider>
  </StrictMode>,
);
