import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { appCreate } from '../../src/cli/commands.js';
import { authorizeUrl, createClient, REDIRECT } from './support.js';

describe('OIDC endpoints under bad input, and the CLI', () => {
  let h: Harness;
  let spa: { client_id: string };
  beforeAll(async () => {
    h = await createHarness();
    spa = await createClient(h, 'spa');
  });
  afterAll(async () => { await h.close(); });

  it('answers malformed requests with RFC 6749 400s, never a 500 or a redirect', async () => {
    const cases = [
      { url: `/tenants/acme/oauth2/authorize?client_id=${spa.client_id}&client_id=${spa.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}` },
      { url: authorizeUrl({ client_id: spa.client_id, redirect_uri: `${REDIRECT}\u001b[31m`, response_type: 'code' }) },
      { url: '/tenants/acme/oauth2/logout?id_token_hint=not.a.jwt' },
      { url: `/tenants/acme/oauth2/logout?client_id=${spa.client_id}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}` },
      { url: '/tenants/acme/oauth2/authorize/complete', method: 'POST' as const, payload: { request: 'x', access_token: 'y' } },
      { url: '/tenants/acme/oauth2/authorize/complete', method: 'POST' as const, payload: { request: 'x' } },
    ];
    for (const c of cases) {
      const res = await h.app.inject(c);
      expect(res.statusCode, `${c.url} ${res.body}`).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      expect(res.headers.location).toBeUndefined();
    }
    const userinfo = await h.app.inject({ url: '/tenants/acme/oauth2/userinfo', headers: { authorization: 'Bearer \u0000' } });
    expect(userinfo.statusCode).toBe(401);
    expect(userinfo.json().error).toBe('invalid_token');
  });

  it('creates a spa from the CLI with --type and --redirect-uri, and no secret', async () => {
    const out = await appCreate(h.deps, { positionals: [], values: { tenant: 'acme', name: 'cli spa', type: 'spa', 'redirect-uri': [REDIRECT] } });
    expect(out.json).toMatchObject({ application: { type: 'spa', redirect_uris: [REDIRECT], name: 'cli spa' } });
    expect(out.text).toContain('client_secret: (none: a spa is a public client)');
    await expect(appCreate(h.deps, { positionals: [], values: { tenant: 'acme', name: 'bad', type: 'native' } })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
