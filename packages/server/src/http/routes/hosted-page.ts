import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import type { Deps } from '../../services/deps.js';
import type { RiskPolicy } from '@portcullis/protocol';
import { policyOf } from '../../services/risk/policy.js';
import { settingsOf } from '../../services/settings.js';
import { hostedPageCsp } from '../../domain/csp.js';
import { renderLoginPage } from '../pages/login-page.js';
import { requestContext } from '../context.js';
import { authorizeReturn } from '../../domain/return-to.js';
import type { AuthorizeHandoff } from './authorize-handoff.js';

/** The built SDK bundle and its source map, if `@portcullis/js` is built (the page needs it; the API does not). */
async function loadBundle(): Promise<{ code: Buffer; map: Buffer | null } | null> {
  try {
    const file = createRequire(import.meta.url).resolve('@portcullis/js/bundle');
    return { code: await readFile(file), map: await readFile(`${file}.map`).catch(() => null) };
  } catch {
    return null;
  }
}

/** The ALTCHA widget files `@portcullis/js` ships (DESIGN §16), by the name they are served under at /sdk/. */
const ALTCHA_FILES = { 'altcha.js': 'text/javascript', 'altcha.css': 'text/css', 'altcha-worker.js': 'text/javascript' } as const;

async function loadAltcha(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of Object.keys(ALTCHA_FILES)) {
    try {
      files.set(name, await readFile(createRequire(import.meta.url).resolve(`@portcullis/js/${name}`)));
    } catch { /* not built: answered 404 below */ }
  }
  return files;
}

const LoginQuery = Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 2048 })) });

/** `''` or `/tenants/<slug>`: how a page was reached, so its links to the other pages stay on that tenant. */
export function pagePrefix(request: FastifyRequest): string {
  const slug = (request.params as { slug?: unknown } | undefined)?.slug;
  return typeof slug === 'string' ? `/tenants/${encodeURIComponent(slug)}` : '';
}

/** The tenant's own widget script (the emulator, a compatible vendor), for the SDK on the page. */
export function providerScriptUrls(captcha: RiskPolicy['captcha']): Record<string, string> {
  return captcha.provider && captcha.script_url ? { [captcha.provider]: captcha.script_url } : {};
}

/**
 * The sign-in page for this request's tenant. `authorize` (OIDC code flow): the signed request
 * and where the page posts it with the fresh session once the person is signed in.
 */
export async function hostedPage(deps: Deps, request: FastifyRequest, authorize?: AuthorizeHandoff) {
  const ctx = await requestContext(deps, request);
  const { captcha } = policyOf(ctx.tenant).policy;
  const nonce = randomBytes(16).toString('base64');
  const returnTo = (request.query as { return_to?: string }).return_to;
  const allowedReturn = returnTo && ctx.tenant.allowedOrigins.some((o) => { try { return new URL(returnTo).origin === o; } catch { return false; } }) ? returnTo : undefined;
  const config = { tenant: ctx.tenant.slug, scriptUrls: providerScriptUrls(captcha), returnTo: authorize ? null : allowedReturn ?? null, ...(authorize ? { authorize } : {}) };
  // During an app's sign-in, "Forgot your password?" and "Create an account" carry the authorize request along, so the person comes back to it.
  const authorizeAgain = authorize ? authorizeReturn(request.url, ctx.tenant.slug)?.path : undefined;
  const links = { prefix: pagePrefix(request), signup: settingsOf(ctx.tenant).signup.enabled, ...(authorizeAgain ? { returnTo: authorizeAgain } : {}) };
  return { csp: hostedPageCsp(captcha, nonce), html: renderLoginPage({ nonce, tenant: ctx.tenant.slug, config, links }) };
}

export function sendHostedPage(reply: FastifyReply, page: { csp: string; html: string }) {
  return reply.type('text/html; charset=utf-8').headers({
    'Content-Security-Policy': page.csp, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
  }).send(page.html);
}

/** `GET /login` (and `/tenants/<slug>/login`): the hosted page, with a nonce-based CSP naming only the tenant's provider. */
export async function hostedPageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const bundle = await loadBundle();
  app.get('/sdk/portcullis.js', { schema: { hide: true } }, async (_request, reply) => {
    if (!bundle) return reply.code(404).type('text/plain').send('SDK bundle not built: run npm run build');
    return reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(bundle.code);
  });
  // The SDK is open source: its map only turns a minified stack trace in devtools back into lines of it.
  app.get('/sdk/portcullis.js.map', { schema: { hide: true } }, async (_request, reply) => {
    if (!bundle?.map) return reply.code(404).type('text/plain').send('SDK source map not built: run npm run build');
    return reply.type('application/json; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(bundle.map);
  });
  const altcha = await loadAltcha();
  for (const [name, type] of Object.entries(ALTCHA_FILES)) {
    app.get(`/sdk/${name}`, { schema: { hide: true } }, async (_request, reply) => {
      const file = altcha.get(name);
      if (!file) return reply.code(404).type('text/plain').send('SDK bundle not built: run npm run build');
      // Fetched across origins by pages that use the SDK (the worker code becomes a blob: worker there).
      return reply.type(`${type}; charset=utf-8`).header('Cache-Control', 'public, max-age=300').header('Access-Control-Allow-Origin', '*').send(file);
    });
  }
  for (const path of ['/login', '/tenants/:slug/login']) {
    app.get(path, { schema: { hide: true, querystring: LoginQuery } }, async (request, reply) => sendHostedPage(reply, await hostedPage(deps, request)));
  }
}
