import { useMemo, type ReactNode } from 'react';
import { SignIn, useAuth } from '@portcullis/react';
import type { ConsoleConfig } from './config.js';
import { createApi } from './api/client.js';
import { Shell } from './shell.js';

/** Signed out: the admin signs in through the same sign-in and risk engine as everyone (captcha included). */
export function App({ config }: { config: ConsoleConfig }): ReactNode {
  const { session, getAccessToken } = useAuth();
  const api = useMemo(() => createApi(config.tenant, getAccessToken), [config.tenant, getAccessToken]);
  if (!session) {
    return (
      <main className="sign-in-page" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Portcullis console</h1>
        <p>Sign in with an administrator account of <strong>{config.tenant || 'this tenant'}</strong>.</p>
        <SignIn className="sign-in-form" />
      </main>
    );
  }
  return <Shell api={api} tenant={config.tenant} />;
}
