import type { FastifyInstance } from 'fastify';
import { PortcullisError } from '@portcullis/protocol';

/** Deepest nesting a JSON body may have: a policy document is five levels deep, a login three. */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a JSON text, counted in one loop without recursion (strings skipped, so a
 * `[` inside a value does not count). Stops counting past `limit`.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * JSON bodies through Fastify's own parser (prototype-poisoning checks included), after a depth
 * check: 2,000 nested arrays in 10 kB parse fine but overflow the stack of whatever walks them
 * next (validation, NUL scan, policy merge), a 500 instead of a 400.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(new PortcullisError('invalid_request', { message: `The body nests deeper than ${MAX_JSON_DEPTH} levels.` }), undefined);
      return;
    }
    parse(request, text, done);
  });
}
