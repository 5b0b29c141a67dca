import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { authenticate, bearerErrorResponse, BearerError, fastifyAuth, requireAuth, type AccessClaims, type AuthenticatedRequest } from '../src/index.js';
import { freePort } from '../../server/test/support/tcp-proxy.js';
import { invalidToken, startPortcullis, type RunningPortcullis } from './support/portcullis.js';

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** What a client sees: status, the challenge and the body. */
async function call(url: string, authorization?: string) {
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), body: await res.json().catch(() => null) as { sub?: string; error?: string } | null };
}

describe('middleware on a running Portcullis', () => {
  let p: RunningPortcullis;
  let userToken = '';
  let adminReadToken = '';
  const servers: Server[] = [];
  let fastify: FastifyInstance;
  const urls: Record<'express' | 'connect' | 'fastify' | 'fetch', string> = { express: '', connect: '', fastify: '', fetch: '' };

  beforeAll(async () => {
    p = await startPortcullis();
    userToken = await p.userToken();
    adminReadToken = await p.h.adminToken('users:read');
    const options = { issuer: p.issuer, audience: [p.issuer, `${p.issuer}/api`], scopes: ['openid'] };

    // Express: two lines, `requireAuth` then `req.auth`.
    const app = express();
    app.get('/me', requireAuth(options), (req, res) => { res.json({ sub: (req as unknown as AuthenticatedRequest).auth.sub }); });
    servers.push(app.listen(0, '127.0.0.1'));
    await new Promise((r) => servers[0]!.once('listening', r));
    urls.express = `http://127.0.0.1:${(servers[0]!.address() as AddressInfo).port}/me`;

    // Connect-style on bare node:http.
    const guard = requireAuth(options);
    const bare = createServer((req, res) => guard(req, res, (err) => {
      if (err) { res.statusCode = 500; res.end('{}'); return; }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sub: (req as AuthenticatedRequest).auth.sub }));
    }));
    servers.push(bare);
    urls.connect = `${await listen(bare)}/me`;

    fastify = Fastify();
    fastify.addHook('preHandler', fastifyAuth(options));
    fastify.get('/me', async (request) => ({ sub: (request as unknown as { auth: AccessClaims }).auth.sub }));
    urls.fastify = `${await fastify.listen({ port: 0, host: '127.0.0.1' })}/me`;

    // A fetch-style handler (the shape of Hono, Next.js route handlers, Deno.serve).
    const handler = async (request: Request) => {
      try {
        const claims = await authenticate(request, options);
        return Response.json({ sub: claims.sub });
      } catch (err) {
        if (err instanceof BearerError) return bearerErrorResponse(err);
        throw err;
      }
    };
    const fetchServer = createServer(async (req, res) => {
      const response = await handler(new Request(`http://x${req.url}`, { headers: req.headers as Record<string, string> }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    });
    servers.push(fetchServer);
    urls.fetch = `${await listen(fetchServer)}/me`;
  });
  afterAll(async () => {
    await Promise.all(servers.map(close));
    await fastify.close();
    await p.close();
  });

  for (const kind of ['express', 'connect', 'fastify', 'fetch'] as const) {
    describe(kind, () => {
      it('lets a valid token through with its claims on the request', async () => {
        const res = await call(urls[kind], `Bearer ${userToken}`);
        expect(res.status).toBe(200);
        expect(res.body?.sub).toMatch(/^usr_/);
        expect((await call(urls[kind], `bearer ${userToken}`)).status).toBe(200);
      });

      it('answers 401 with a bare Bearer challenge when no token is sent, or another scheme', async () => {
        for (const authorization of [undefined, 'Basic YTpi']) {
          expect(await call(urls[kind], authorization)).toEqual({
            status: 401, wwwAuthenticate: 'Bearer', body: { error: 'unauthorized', error_description: 'A bearer token is required' },
          });
        }
      });

      it('answers 401 invalid_token to a garbage or tampered token', async () => {
        expect(await call(urls[kind], 'Bearer garbage')).toEqual({
          status: 401, wwwAuthenticate: invalidToken('The access token is malformed'),
          body: { error: 'invalid_token', error_description: 'The access token is malformed' },
        });
        const tampered = userToken.slice(0, -4) + (userToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
        expect((await call(urls[kind], `Bearer ${tampered}`)).wwwAuthenticate).toBe(invalidToken('The access token signature is invalid'));
      });

      it('answers 400 invalid_request to a Bearer header that is not one token', async () => {
        for (const authorization of ['Bearer', 'Bearer a b', 'Bearer a,b']) {
          expect(await call(urls[kind], authorization), authorization).toEqual({
            status: 400,
            wwwAuthenticate: 'Bearer error="invalid_request", error_description="The Authorization header does not hold one bearer token"',
            body: { error: 'invalid_request', error_description: 'The Authorization header does not hold one bearer token' },
          });
        }
      });

      it('answers 403 insufficient_scope with the scopes it needs', async () => {
        expect(await call(urls[kind], `Bearer ${adminReadToken}`)).toEqual({
          status: 403,
          wwwAuthenticate: 'Bearer error="insufficient_scope", error_description="The access token lacks a required scope", scope="openid"',
          body: { error: 'insufficient_scope', error_description: 'The access token lacks a required scope' },
        });
      });
    });
  }

  it('lets nothing through when the issuer cannot be reached: Express and Fastify answer 500 from their error handlers', async () => {
    const options = { issuer: `http://127.0.0.1:${await freePort()}/tenants/acme` };
    const app = express();
    app.get('/me', requireAuth(options), (_req, res) => { res.json({ reached: true }); });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const f = Fastify();
    f.get('/me', { preHandler: fastifyAuth(options) }, async () => ({ reached: true }));
    const fastifyUrl = await f.listen({ port: 0, host: '127.0.0.1' });
    try {
      const viaExpress = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/me`, { headers: { authorization: `Bearer ${userToken}` } });
      expect(viaExpress.status).toBe(500);
      expect(await viaExpress.text()).not.toContain('reached');
      const viaFastify = await call(`${fastifyUrl}/me`, `Bearer ${userToken}`);
      expect(viaFastify.status).toBe(500);
      expect(viaFastify.body).not.toHaveProperty('reached');
      await expect(authenticate(new Request('http://x/', { headers: { authorization: `Bearer ${userToken}` } }), options)).rejects.not.toBeInstanceOf(BearerError);
    } finally {
      await close(server);
      await f.close();
    }
  });
});
