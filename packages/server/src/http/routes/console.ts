import type { FastifyInstance } from 'fastify';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../services/deps.js';
import { policyOf } from '../../services/risk/policy.js';
import { hostedPageCsp } from '../../domain/csp.js';
import { requestContext } from '../context.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json; charset=utf-8',
};

interface Built { index: string; assets: Map<string, { body: Buffer; type: string }> }

/**
 * The console's build (`npm run build` in packages/console), read once at start. Only the files
 * found then are served, by exact name: a request path never reaches the file system.
 */
async function loadConsole(): Promise<Built | null> {
  try {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@portcullis/console/package.json')), 'dist');
    const index = await readFile(join(dist, 'index.html'), 'utf8');
    const assets = new Map<string, { body: Buffer; type: string }>();
    for (const name of await readdir(join(dist, 'assets'))) {
      const type = TYPES[extname(name)];
      if (type) assets.set(name, { body: await readFile(join(dist, 'assets', name)), type });
    }
    return { index, assets };
  } catch {
    return null;
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /admin` (and `/tenants/<slug>/admin`): the admin console (DESIGN §14), with the hosted
 * page's CSP for the tenant's captcha provider — `frame-ancestors 'none'` (no clickjacking of
 * admin buttons), `connect-src 'self'` (the console talks to this server only) and no inline code.
 */
export async function consoleRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const built = await loadConsole();
  for (const path of ['/admin', '/tenants/:slug/admin']) {
    app.get(path, { schema: { hide: true } }, async (request, reply) => {
      if (!built) return reply.code(404).type('text/plain; charset=utf-8').send('Console not built: run npm run build');
      const ctx = await requestContext(deps, request);
      const { captcha } = policyOf(ctx.tenant).policy;
      const scriptUrls = captcha.provider && captcha.script_url ? { [captcha.provider]: captcha.script_url } : {};
      // The page's own code is external ('self'); the nonce covers nothing inline and is fresh per response.
      const csp = hostedPageCsp(captcha, randomBytes(16).toString('base64'));
      const html = built.index.replace('__PORTCULLIS_CONSOLE__', escapeHtml(JSON.stringify({ tenant: ctx.tenant.slug, scriptUrls })));
      return reply.type('text/html; charset=utf-8').headers({
        'Content-Security-Policy': csp, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
      }).send(html);
    });
  }
  // Asset names carry a content hash, so a year of caching never serves a stale file.
  app.get('/admin/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const asset = built?.assets.get((request.params as { name: string }).name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply.type(asset.type).headers({ 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' }).send(asset.body);
  });
}
