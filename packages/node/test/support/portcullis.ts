import { createHarness, type Harness } from '../../../server/test/support/harness.js';
import { freePort } from '../../../server/test/support/tcp-proxy.js';

export interface RunningPortcullis {
  h: Harness;
  origin: string;
  /** The `acme` tenant's issuer, as its discovery document names it. */
  issuer: string;
  /** Signs a user in and returns their access token. */
  userToken(email?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real Portcullis on a real port (the whole app, in process, on an in-memory SQLite), whose
 * clock starts at the real time: the SDK checks `exp` against the machine's clock, as in production.
 */
export async function startPortcullis(): Promise<RunningPortcullis> {
  const port = await freePort();
  const h = await createHarness({ env: { PORT: String(port), HOST: '127.0.0.1' } });
  h.clock.set(Date.now());
  await h.app.listen({ port, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${port}`;
  const users = new Set<string>();
  return {
    h, origin, issuer: `${origin}/tenants/acme`,
    async userToken(email = 'ada@example.com') {
      if (!users.has(email)) { await h.createUser(email, 'correct horse battery'); users.add(email); }
      const res = await h.login({ email, password: 'correct horse battery' });
      if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
      return res.json<{ data: { access_token: string } }>().data.access_token;
    },
    close: () => h.close(),
  };
}

/** The header RFC 6750 says to send, for a test to compare exactly. */
export const invalidToken = (description: string) => `Bearer error="invalid_token", error_description="${description}"`;
