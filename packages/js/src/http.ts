import { PortcullisClientError, errorFromBody } from './errors.js';

/** Where and how the SDK talks to Portcullis. */
export interface Transport {
  baseUrl: string;
  tenant?: string;
  fetch: typeof fetch;
}

/** Paths of the wire contract (DESIGN §5). */
export const PATHS = {
  login: '/api/v1/auth/login',
  emailOtp: '/api/v1/auth/login/email-otp',
  logout: '/api/v1/auth/logout',
  token: '/oauth2/token',
  signup: '/api/v1/auth/signup',
  verifyEmail: '/api/v1/auth/verify-email',
  passwordReset: '/api/v1/auth/password-reset',
  passwordResetConfirm: '/api/v1/auth/password-reset/confirm',
} as const;

/** GETs JSON (discovery); no custom header, so a cross-origin call needs no preflight. */
export function getJson(t: Transport, path: string): Promise<unknown> {
  return send({ baseUrl: t.baseUrl, fetch: t.fetch }, path, { method: 'GET', headers: { accept: 'application/json' } });
}

/**
 * Posts JSON (or nothing: Fastify refuses an empty body labelled JSON) and returns the parsed
 * answer, `undefined` for 204. Non-2xx answers reject with a {@link PortcullisClientError}.
 */
export function postJson(t: Transport, path: string, body?: unknown, bearer?: string): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer) headers['authorization'] = `Bearer ${bearer}`;
  return send(t, path, { method: 'POST', headers, body: body === undefined ? null : JSON.stringify(body) });
}

/** Posts `application/x-www-form-urlencoded`, as `/oauth2/token` requires (RFC 6749 §4.1.3). */
export function postForm(t: Transport, path: string, form: Record<string, string>): Promise<unknown> {
  const headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  return send(t, path, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}

async function send(t: Transport, path: string, init: RequestInit & { headers: Record<string, string> }): Promise<unknown> {
  if (t.tenant) init.headers['x-tenant'] = t.tenant;
  let response: Response;
  try {
    // No cookies are involved (tokens live in memory), so no credentials mode is needed cross-origin.
    response = await t.fetch(`${t.baseUrl}${path}`, init);
  } catch (cause) {
    throw new PortcullisClientError('network_error', { cause });
  }
  if (response.status === 204) return undefined;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw errorFromBody(response.status, body);
  if (body === undefined) throw new PortcullisClientError('unexpected_response', { status: response.status });
  return body;
}

/** Tokens as issued by sign-in or rotation, already checked for shape. */
export interface IssuedTokens {
  sessionId?: string;
  userId?: string;
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Reads `SignInSuccess` (`{data:{session, access_token, refresh_token, expires_in}}`). */
export function readSignIn(body: unknown): IssuedTokens & { sessionId: string; userId: string } {
  const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
  const session = data?.['session'] as Record<string, unknown> | undefined;
  if (!data || !session || !str(session['id']) || !str(session['user_id'])) throw unexpected();
  const tokens = readTokens(data);
  return { ...tokens, sessionId: session['id'], userId: session['user_id'] };
}

/** Reads `TokenResponse` (`{access_token, refresh_token?, expires_in}`). */
export function readTokens(body: unknown): IssuedTokens {
  const b = body as Record<string, unknown> | undefined;
  if (!b || !str(b['access_token']) || typeof b['expires_in'] !== 'number') throw unexpected();
  const tokens: IssuedTokens = { accessToken: b['access_token'], expiresIn: b['expires_in'] };
  if (str(b['refresh_token'])) tokens.refreshToken = b['refresh_token'];
  return tokens;
}

/** Reads the answer of a door that answers the same whatever the email (DESIGN §19); any other shape is not ours. */
export const readAccepted = (state: string) => (answer: unknown): void => {
  if ((answer as { data?: { state?: unknown } } | undefined)?.data?.state !== state) throw new PortcullisClientError('unexpected_response', { status: 202 });
};

const unexpected = () => new PortcullisClientError('unexpected_response', { status: 200 });
