import { AuthClient, type AuthClientOptions } from '../src/index.js';
import type { CaptchaChallenge, CaptchaRenderer, InternalOptions } from '../src/seams.js';

/** One request as the fake server saw it. */
export interface Seen {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown } | Error;

/**
 * A scripted server: each path answers from its own queue, in order; a path with nothing queued
 * fails the test loudly. Bodies are parsed back (JSON or form) so tests assert the exact wire body.
 */
export function scriptedFetch(script: Record<string, Reply[]>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://portcullis.test');
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const raw = typeof init?.body === 'string' ? init.body : undefined;
    const body = raw === undefined ? undefined
      : headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw);
    seen.push({ path: url.pathname, headers, body });
    const reply = script[url.pathname]?.shift();
    if (!reply) throw new Error(`unexpected request ${url.pathname}`);
    if (reply instanceof Error) throw reply;
    if (reply.status === 204) return new Response(null, { status: 204 });
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(text, { status: reply.status, headers: { 'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json' } });
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

/** The `/api/v1` error envelope (DESIGN §4). */
export const apiError = (status: number, error: string, details?: Record<string, unknown>): Reply =>
  ({ status, body: { error, message: `server says ${error}`, ...(details ? { details } : {}), request_id: 'req_1' } });

export const signInOk = (n = 1, expiresIn = 900): Reply => ({
  status: 200,
  body: { data: { state: 'success', session: { id: 'ses_1', user_id: 'usr_1' }, access_token: `at${n}`, refresh_token: `rt${n}`, token_type: 'Bearer', expires_in: expiresIn } },
});

export const CHALLENGE = { provider: 'turnstile', site_key: '1x00000000000000000000AA', action: 'login' };

/** A captcha renderer that hands out `tok1`, `tok2`, … and records what the flow asked of it. */
export function fakeRenderer(behaviour: { failOpen?: Error; failToken?: Error } = {}) {
  const log: string[] = [];
  const opened: CaptchaChallenge[] = [];
  let n = 0;
  const renderer: CaptchaRenderer = {
    async open(challenge) {
      opened.push(challenge);
      log.push('open');
      if (behaviour.failOpen) throw behaviour.failOpen;
      return {
        token: async () => {
          if (behaviour.failToken) throw behaviour.failToken;
          log.push(`token${++n}`);
          return `tok${n}`;
        },
        reset: () => void log.push('reset'),
        close: () => void log.push('close'),
      };
    },
  };
  return { renderer, log, opened };
}

/** An AuthClient wired to fakes; the seams ride in the options object, as `seams.ts` documents. */
export function clientWith(options: InternalOptions): AuthClient {
  return new AuthClient({ tenant: 'banking', collectDevice: false, ...options } as AuthClientOptions);
}
