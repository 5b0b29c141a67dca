import type { Device } from '@portcullis/protocol';
import { createBrowserRenderer } from './captcha/browser-renderer.js';
import { collectDeviceSignals } from './device/collect.js';
import { PortcullisClientError } from './errors.js';
import { PATHS, postForm, postJson, readAccepted, readSignIn, readTokens, type Transport } from './http.js';
import type { AuthClientOptions, Session } from './options.js';
import { finishRedirect, startRedirect, type RedirectResult, type RedirectSeams, type RedirectSignInOptions } from './redirect.js';
import type { InternalOptions } from './seams.js';
import { runDoor, runSignIn, type FlowDeps, type SignedIn, type SignInStep } from './sign-in-flow.js';
import { promptEmailCode } from './ui/otp-prompt.js';

/** An access token this close to expiry is refreshed first, so it does not die in flight. */
const REFRESH_LEEWAY_MS = 30_000;

/** Per-attempt options of {@link AuthClient.signIn}. */
export interface SignInOptions {
  /** Called as the attempt reaches a step the person acts on: a captcha to solve, a code to enter. */
  onStep?: (step: SignInStep) => void;
}

interface State {
  session: Session;
  refreshToken: string | undefined;
  /** The app's client id when the session came from the redirect flow: its refresh token works for that client only. */
  clientId?: string;
}

/**
 * The Portcullis browser client: password sign-in with captcha and email-code steps handled,
 * tokens in memory only (nothing in storage a script injection could read later), refresh-token
 * rotation, sign-out.
 */
export class AuthClient {
  readonly #transport: Transport;
  readonly #flow: FlowDeps;
  readonly #device: (() => Promise<Device>) | undefined;
  readonly #redirect: () => RedirectSeams;
  readonly #now: () => number;
  readonly #listeners = new Set<(session: Session | null) => void>();
  #state: State | null = null;
  #refreshing: Promise<string | null> | null = null;

  constructor(options: AuthClientOptions = {}) {
    const o = options as InternalOptions;
    this.#now = o.now ?? Date.now;
    this.#transport = {
      baseUrl: (o.baseUrl ?? '').replace(/\/+$/, ''),
      // Bound late: `window.fetch` called unbound throws "Illegal invocation" in some browsers.
      fetch: o.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      ...(o.tenant ? { tenant: o.tenant } : {}),
    };
    this.#flow = {
      transport: this.#transport,
      now: this.#now,
      renderer: o.captchaRenderer ?? createBrowserRenderer({
        scriptUrls: o.scriptUrls ?? {}, container: o.captchaContainer, timeoutMs: o.renderTimeoutMs ?? 10_000,
      }),
      askCode: o.onEmailCode ?? promptEmailCode,
    };
    this.#device = o.collectDevice === false ? undefined : (o.collectDeviceData ?? collectDeviceSignals);
    // Read when used: sessionStorage and location exist only in a browser, not where the client may be built.
    this.#redirect = () => ({ storage: o.redirectStorage ?? sessionStorage, assign: o.navigate ?? ((url) => location.assign(url)), now: this.#now });
  }

  /** The current session, or null. The same object until the next change (safe for `useSyncExternalStore`). */
  get session(): Session | null {
    return this.#state?.session ?? null;
  }

  /** Calls `listener` after every sign-in, refresh and sign-out; returns the unsubscribe function. */
  onChange(listener: (session: Session | null) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Signs in, solving a captcha or entering an email code when the server asks; rejects with {@link PortcullisClientError}. */
  async signIn(input: { email: string; password: string }, options: SignInOptions = {}): Promise<Session> {
    const body = { email: input.email, password: input.password, ...await this.#deviceData() };
    return this.#accept(await runSignIn({ ...this.#flow, onStep: options.onStep }, body));
  }

  /**
   * Creates an account; resolves once the server accepted it (the same answer whether or not the
   * email is taken: the person learns which from the mail). Renders the captcha (action `signup`) when asked.
   * `returnTo`: as for {@link requestPasswordReset}, carried in the verification link.
   */
  async signUp(input: { email: string; password: string; returnTo?: string }, options: SignInOptions = {}): Promise<void> {
    const body = { email: input.email, password: input.password, ...(input.returnTo ? { return_to: input.returnTo } : {}), ...await this.#deviceData() };
    await runDoor({ ...this.#flow, onStep: options.onStep }, { path: PATHS.signup, action: 'signup', body, read: readAccepted('verification_sent') });
  }

  /** Spends a mailed verification link's token and signs the person in. */
  async verifyEmail(input: { token: string }): Promise<Session> {
    return this.#accept(readSignIn(await postJson(this.#transport, PATHS.verifyEmail, { token: input.token })));
  }

  /**
   * Asks for a reset mail; resolves alike whether or not the account exists. Renders the captcha (action
   * `password_reset`) when asked. `returnTo`: an app's pending `/oauth2/authorize?…` path of this tenant,
   * carried in the mailed link so the person goes back to that sign-in (the server drops anything else).
   */
  async requestPasswordReset(input: { email: string; returnTo?: string }, options: SignInOptions = {}): Promise<void> {
    const body = { email: input.email, ...(input.returnTo ? { return_to: input.returnTo } : {}), ...await this.#deviceData() };
    await runDoor({ ...this.#flow, onStep: options.onStep }, { path: PATHS.passwordReset, action: 'password_reset', body, read: readAccepted('reset_requested') });
  }

  /** Sets a new password with a mailed reset link's token; the server ends every session of the account. */
  async confirmPasswordReset(input: { token: string; password: string }): Promise<void> {
    readAccepted('password_reset')(await postJson(this.#transport, PATHS.passwordResetConfirm, { token: input.token, password: input.password }));
  }

  /** Sends the browser to the hosted sign-in page (OIDC code flow, PKCE S256); {@link handleRedirectCallback} finishes on return. */
  signInWithRedirect(options: RedirectSignInOptions): Promise<void> {
    return startRedirect(this.#transport, this.#redirect(), options);
  }

  /**
   * On the redirect URI: checks `state` and `iss`, exchanges the code, checks the ID token's
   * nonce, and holds the session as {@link signIn} does. Without `url`, reads the address bar
   * and takes the code out of it (a code left in history is a code someone may try to replay).
   */
  async handleRedirectCallback(url?: string): Promise<RedirectResult> {
    const href = url ?? location.href;
    if (url === undefined) history.replaceState(history.state, '', location.pathname + location.hash);
    const r = await finishRedirect(this.#transport, this.#redirect(), href);
    const session = this.#accept({
      sessionId: typeof r.claims.sid === 'string' ? r.claims.sid : '', userId: r.claims.sub, ...r.tokens,
    }, r.clientId);
    return { session, idToken: r.idToken, claims: r.claims, ...(r.appState === undefined ? {} : { state: r.appState }) };
  }

  /** Device data is best effort: without it the server scores the device low, it does not refuse. */
  async #deviceData(): Promise<{ device?: Device }> {
    const device = this.#device ? await this.#device().catch(() => undefined) : undefined;
    return device ? { device } : {};
  }

  /** Revokes the session on the server and forgets it here; local state is cleared even if the call fails. */
  async signOut(): Promise<void> {
    if (!this.#state) return;
    // Logout needs a live access token to name the session; an expired one would leave it open.
    const token = await this.getAccessToken().catch(() => this.#state?.session.accessToken ?? null);
    this.#set(null);
    if (!token) return;
    try {
      await postJson(this.#transport, PATHS.logout, undefined, token);
    } catch (error) {
      if (!(error instanceof PortcullisClientError && error.code === 'unauthorized')) throw error;
    }
  }

  /** A valid access token, refreshed (rotated) when expired or within 30 s of expiry; null when signed out. */
  async getAccessToken(): Promise<string | null> {
    const current = this.#state;
    if (!current) return null;
    if (current.session.expiresAt - this.#now() > REFRESH_LEEWAY_MS) return current.session.accessToken;
    // One refresh at a time: rotation makes a second use of the same refresh token look like
    // theft, and the server would revoke the whole session.
    this.#refreshing ??= this.#refresh(current).finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }

  async #refresh(current: State): Promise<string | null> {
    if (!current.refreshToken) return this.#expire(current);
    try {
      const t = readTokens(await postForm(this.#transport, PATHS.token, {
        grant_type: 'refresh_token', refresh_token: current.refreshToken, ...(current.clientId ? { client_id: current.clientId } : {}),
      }));
      if (this.#state !== current) return this.#state?.session.accessToken ?? null; // signed out or in again meanwhile
      this.#set({
        session: Object.freeze({ ...current.session, accessToken: t.accessToken, expiresAt: this.#now() + t.expiresIn * 1000 }),
        refreshToken: t.refreshToken, ...(current.clientId ? { clientId: current.clientId } : {}),
      });
      return t.accessToken;
    } catch (error) {
      if (this.#state !== current) return this.#state?.session.accessToken ?? null;
      if (error instanceof PortcullisClientError && error.code === 'invalid_grant') {
        this.#set(null);
        return null;
      }
      // A transient failure: the old token still serves until it actually expires.
      if (current.session.expiresAt > this.#now()) return current.session.accessToken;
      throw error;
    }
  }

  #expire(current: State): string | null {
    if (current.session.expiresAt > this.#now()) return current.session.accessToken;
    this.#set(null);
    return null;
  }

  #accept(t: Pick<SignedIn, 'sessionId' | 'userId' | 'accessToken' | 'refreshToken' | 'expiresIn'>, clientId?: string): Session {
    const session = Object.freeze({ id: t.sessionId, userId: t.userId, accessToken: t.accessToken, expiresAt: this.#now() + t.expiresIn * 1000 });
    this.#set({ session, refreshToken: t.refreshToken, ...(clientId ? { clientId } : {}) });
    return session;
  }

  #set(state: State | null): void {
    this.#state = state;
    const session = state?.session ?? null;
    for (const listener of [...this.#listeners]) {
      try {
        listener(session);
      } catch (error) {
        // One broken listener must not stop the others or the sign-in; surface it asynchronously.
        setTimeout(() => { throw error; });
      }
    }
  }
}
