import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Provider, SiteverifyParams } from './types.js';

/** A request body as the emulator sees it: parsed, but not yet judged. */
export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | { kind: 'multipart'; value: Record<string, string> }
  | { kind: 'malformed' }
  | { kind: 'other' };

/**
 * Replaces the content-type parsers inside the emulator's own plugin scope (the host app keeps
 * its own): a provider answers a malformed body with `bad-request`, not with a framework 400,
 * and must not care whether the host registered @fastify/formbody.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, { kind: 'json', value: JSON.parse(body as string) } satisfies ParsedBody);
    } catch {
      done(null, { kind: 'malformed' } satisfies ParsedBody);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, { kind: 'form', value: Object.fromEntries(new URLSearchParams(body as string)) } satisfies ParsedBody);
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (req, body, done) => {
    const boundary = /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
    done(null, boundary ? { kind: 'multipart', value: parseMultipart(body as string, boundary) } : { kind: 'malformed' });
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, { kind: 'other' }));
}

/** Text fields of a multipart body (what `fetch` sends for a `FormData`, as Cloudflare's examples do). */
function parseMultipart(body: string, boundary: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /name="([^"]*)"/.exec(part.slice(0, split))?.[1];
    if (name !== undefined) fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}

const FIELDS = ['secret', 'response', 'remoteip', 'idempotency_key', 'sitekey'] as const;

function pick(source: unknown): SiteverifyParams {
  const params: SiteverifyParams = {};
  if (typeof source !== 'object' || source === null) return params;
  for (const field of FIELDS) {
    const value = (source as Record<string, unknown>)[field];
    if (typeof value === 'string') params[field] = value;
  }
  return params;
}

/**
 * The siteverify parameters a provider would read from this request. Turnstile reads form,
 * multipart and JSON bodies; Google reads form fields and the query string; hCaptcha reads
 * form fields only, so a server that posts JSON to it sees `missing-input-secret` as it would live.
 */
export function siteverifyParams(provider: Provider, request: FastifyRequest): SiteverifyParams {
  const body = request.body as ParsedBody | undefined;
  if (provider === 'turnstile') {
    if (body?.kind === 'malformed') return { malformed: true };
    return body && body.kind !== 'other' ? pick(body.value) : {};
  }
  const form = body?.kind === 'form' ? pick(body.value) : {};
  return provider === 'recaptcha' ? { ...pick(request.query), ...form } : form;
}

/** The JSON object of a control or mint request, or an empty object. */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body as ParsedBody | undefined;
  const value = body && (body.kind === 'json' || body.kind === 'form') ? body.value : undefined;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
