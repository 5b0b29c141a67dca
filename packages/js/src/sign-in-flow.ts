import { isCaptchaProvider, type CaptchaAction, type LoginBody } from '@portcullis/protocol';
import { PortcullisClientError } from './errors.js';
import { PATHS, postJson, readSignIn, type Transport } from './http.js';
import type { CaptchaProviderName } from './options.js';
import type { CaptchaChallenge, CaptchaRenderer, CaptchaWidget, EmailCodeAsker } from './seams.js';

/** Tokens tried per sign-in; a third refusal ends the attempt (the caller may start a new one). */
export const MAX_CAPTCHA_ROUNDS = 3;

/** What one sign-in needs besides its body. */
export interface FlowDeps {
  transport: Transport;
  renderer: CaptchaRenderer;
  askCode: EmailCodeAsker;
  now: () => number;
  /** Told when the attempt reaches a step the person acts on (see {@link SignInStep}). */
  onStep?: ((step: SignInStep) => void) | undefined;
}

/**
 * Where a sign-in stands, for a page that guides the person: `captcha` when a widget is waiting
 * for them, `verifying` once it handed over a token and the sign-in is posted again,
 * `email_code` when the code prompt opens.
 */
export type SignInStep =
  | { kind: 'captcha'; provider: CaptchaProviderName }
  | { kind: 'verifying' }
  | { kind: 'email_code' };

/** A page's step listener that throws must not break the sign-in; it surfaces asynchronously. */
function tell(deps: FlowDeps, step: SignInStep): void {
  try {
    deps.onStep?.(step);
  } catch (error) {
    setTimeout(() => { throw error; });
  }
}

export type SignedIn = ReturnType<typeof readSignIn>;

function readChallenge(error: PortcullisClientError, baseUrl: string, door: CaptchaAction): CaptchaChallenge {
  const d = error.details ?? {};
  const provider = d['provider'];
  // The server names the action the token must be bound to; without one it is this door's own.
  const action = typeof d['action'] === 'string' ? d['action'] : door;
  // altcha has no site key; its widget needs the challenge URL instead.
  // A /path (a server without a configured public URL) is on the server the SDK talks to.
  if (provider === 'altcha' && typeof d['challenge_url'] === 'string') {
    const url = d['challenge_url'];
    return { provider, siteKey: '', action, challengeUrl: url.startsWith('/') && !url.startsWith('//') ? `${baseUrl}${url}` : url };
  }
  if (!isCaptchaProvider(provider) || provider === 'altcha' || typeof d['site_key'] !== 'string') {
    throw new PortcullisClientError('unexpected_response', { status: error.status, details: d, cause: error });
  }
  return { provider, siteKey: d['site_key'], action };
}

const sameChallenge = (a: CaptchaChallenge, b: CaptchaChallenge) => a.provider === b.provider && a.siteKey === b.siteKey;

/** A public door behind the risk engine (DESIGN §5, §19): where it is, its captcha action, its answer. */
export interface Door<T> {
  path: string;
  action: CaptchaAction;
  body: Record<string, unknown>;
  read: (answer: unknown) => T;
  /** The email-code step, at sign-in only: the server never asks it elsewhere (it would mail whoever is named). */
  emailCode?: (required: PortcullisClientError) => Promise<T>;
}

/** The sign-in state machine: {@link runDoor} at `/api/v1/auth/login`, with the email-code step. */
export function runSignIn(deps: FlowDeps, body: LoginBody): Promise<SignedIn> {
  return runDoor(deps, { path: PATHS.login, action: 'login', body, read: readSignIn, emailCode: (required) => completeEmailOtp(deps, required) });
}

/**
 * One state machine for every door (DESIGN §5, §6, §19): post; on `captcha_required` render the
 * widget and re-post with its token; on `captcha_invalid` reset it and ask again (bounded); on
 * `email_otp_required` (sign-in only) hand over to the email-code step. Anything else rejects as is.
 */
export async function runDoor<T>(deps: FlowDeps, door: Door<T>): Promise<T> {
  let widget: CaptchaWidget | undefined;
  let opened: CaptchaChallenge | undefined;
  let rounds = 0;
  let attempt = door.body;
  try {
    for (;;) {
      try {
        return door.read(await postJson(deps.transport, door.path, attempt));
      } catch (error) {
        if (!(error instanceof PortcullisClientError)) throw error;
        if (error.code === 'email_otp_required' && door.emailCode) {
          // The widget is of no more use, and two modal dialogs must not stack.
          widget?.close();
          widget = undefined;
          return await door.emailCode(error);
        }
        if (error.code !== 'captcha_required' && error.code !== 'captcha_invalid') throw error;
        // Bounds `captcha_required` too: a server that never accepts a token must not loop forever.
        if (++rounds > MAX_CAPTCHA_ROUNDS) throw error;
        const challenge = readChallenge(error, deps.transport.baseUrl, door.action);
        if (widget && opened && !sameChallenge(opened, challenge)) {
          widget.close();
          widget = undefined;
        }
        // Tokens are single use: a refused one must be replaced by a fresh solve, not re-sent.
        if (widget) widget.reset();
        else [widget, opened] = [await deps.renderer.open(challenge), challenge];
        tell(deps, { kind: 'captcha', provider: challenge.provider });
        const token = await widget.token();
        tell(deps, { kind: 'verifying' });
        attempt = { ...door.body, captcha: { provider: challenge.provider, token } };
      }
    }
  } finally {
    widget?.close();
  }
}

/**
 * The captcha-outage fallback: ask for the emailed code and post it; a wrong code with tries
 * left asks again. The code stands in for the captcha only, so the password is not re-sent.
 */
async function completeEmailOtp(deps: FlowDeps, required: PortcullisClientError): Promise<SignedIn> {
  const d = required.details ?? {};
  const challengeId = d['challenge_id'];
  if (typeof challengeId !== 'string') throw new PortcullisClientError('unexpected_response', { status: required.status, cause: required });
  const expiresIn = typeof d['expires_in'] === 'number' ? d['expires_in'] : 600;
  const reason = typeof d['reason'] === 'string' ? d['reason'] : '';
  const started = deps.now();
  let retry: { attemptsLeft: number } | undefined;
  tell(deps, { kind: 'email_code' });
  for (;;) {
    const left = Math.max(0, expiresIn - Math.floor((deps.now() - started) / 1000));
    const code = (await deps.askCode({ challengeId, expiresIn: left, reason }, retry)).trim();
    try {
      return readSignIn(await postJson(deps.transport, PATHS.emailOtp, { challenge_id: challengeId, code }));
    } catch (error) {
      const attemptsLeft = error instanceof PortcullisClientError && error.code === 'otp_invalid' ? error.details?.['attempts_left'] : 0;
      if (typeof attemptsLeft !== 'number' || attemptsLeft <= 0) throw error;
      retry = { attemptsLeft };
    }
  }
}
