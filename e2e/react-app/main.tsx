import type { AuthClientOptions } from '@portcullis/js';
import { PortcullisProvider, SignIn, useAuth } from '@portcullis/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

declare global {
  interface Window {
    /** Set by a test before this script runs: extra client options (`scriptUrls` for the emulator, …). */
    __PORTCULLIS__?: AuthClientOptions;
  }
}

// `?baseUrl=http://127.0.0.1:3000&tenant=demo` wins over the window global, which wins over the defaults.
const query = new URLSearchParams(location.search);
const injected = window.__PORTCULLIS__ ?? {};
const options: AuthClientOptions = {
  ...injected,
  baseUrl: query.get('baseUrl') ?? injected.baseUrl ?? location.origin,
  tenant: query.get('tenant') ?? injected.tenant ?? 'demo',
};

function App() {
  const { user, signOut } = useAuth();
  if (!user) return <SignIn />;
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
