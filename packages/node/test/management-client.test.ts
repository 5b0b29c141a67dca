import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createManagementClient, ManagementAuthError, type components } from '../src/index.js';
import { startPortcullis, type RunningPortcullis } from './support/portcullis.js';

/** A fetch that passes through to the server and records what went where. */
function recordingFetch(answer?: (request: Request) => Response | undefined) {
  const log: string[] = [];
  const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    log.push(`${request.method} ${new URL(request.url).pathname}`);
    return answer?.(request) ?? fetch(request);
  }) as typeof fetch;
  return { log, fetcher, tokenRequests: () => log.filter((l) => l === 'POST /oauth2/token').length };
}

describe('createManagementClient against a running Portcullis', () => {
  let p: RunningPortcullis;
  beforeAll(async () => { p = await startPortcullis(); });
  afterAll(() => p.close());
  const client = (extra: Partial<Parameters<typeof createManagementClient>[0]> = {}) => createManagementClient({
    baseUrl: p.origin, tenant: 'acme', clientId: p.h.admin.client_id, clientSecret: p.h.admin.client_secret, ...extra,
  });

  it('creates and lists users with typed calls, fetching one token for all of them', async () => {
    const rec = recordingFetch();
    const api = client({ fetch: rec.fetcher });
    const created = await api.POST('/api/v1/users', { body: { email: 'grace@example.com', password: 'long enough password' } });
    expect(created.response.status).toBe(201);
    const user: components['schemas']['User'] | undefined = created.data?.data;
    expect(user).toMatchObject({ email: 'grace@example.com', disabled: false });
    const page = await api.GET('/api/v1/users', { params: { query: { limit: 10 } } });
    expect(page.data?.data.map((u) => u.email)).toContain('grace@example.com');
    const one = await api.GET('/api/v1/users/{id}', { params: { path: { id: user!.id } } });
    expect(one.data?.data.id).toBe(user!.id);
    expect(rec.log).toEqual(['POST /oauth2/token', 'POST /api/v1/users', 'GET /api/v1/users', `GET /api/v1/users/${user!.id}`]);
  });

  it('passes API errors through typed, with the X-Tenant of its tenant', async () => {
    const res = await client().POST('/api/v1/users', { body: { email: 'not-an-email', password: 'long enough password' } });
    expect(res.response.status).toBe(400);
    expect(res.error?.error).toBe('invalid_request');
    const missing = await client().GET('/api/v1/users/{id}', { params: { path: { id: 'usr_01J0000000000000000000000' } } });
    expect(missing.response.status).toBe(404);
  });

  it('fetches a new token once when the API answers 401 to a token it still thought valid', async () => {
    const rec = recordingFetch();
    const api = client({ fetch: rec.fetcher });
    expect((await api.GET('/api/v1/users')).response.status).toBe(200);
    // The server's clock runs past the token's hour while ours does not (skew, a restart on another key…).
    p.h.clock.advance(3601_000);
    const res = await api.GET('/api/v1/users');
    expect(res.response.status).toBe(200);
    expect(rec.log).toEqual(['POST /oauth2/token', 'GET /api/v1/users', 'GET /api/v1/users', 'POST /oauth2/token', 'GET /api/v1/users']);
  });

  it('retries a 401 only once, and returns the second 401', async () => {
    const rec = recordingFetch((request) => (new URL(request.url).pathname.startsWith('/api/') ? Response.json({ error: 'unauthorized' }, { status: 401 }) : undefined));
    const res = await client({ fetch: rec.fetcher }).GET('/api/v1/users');
    expect(res.response.status).toBe(401);
    expect(rec.log).toEqual(['POST /oauth2/token', 'GET /api/v1/users', 'POST /oauth2/token', 'GET /api/v1/users']);
  });

  it('replays the body of a POST on the retry', async () => {
    let refused = false;
    const rec = recordingFetch((request) => {
      if (request.method !== 'POST' || !request.url.endsWith('/api/v1/users') || refused) return undefined;
      refused = true;
      return Response.json({ error: 'unauthorized' }, { status: 401 });
    });
    const res = await client({ fetch: rec.fetcher }).POST('/api/v1/users', { body: { email: 'retry@example.com', password: 'long enough password' } });
    expect(res.response.status).toBe(201);
    expect(res.data?.data.email).toBe('retry@example.com');
  });

  it('keeps the token until 60 s before it expires, then fetches another', async () => {
    let now = Date.now();
    const rec = recordingFetch();
    const api = client({ fetch: rec.fetcher, now: () => now });
    await api.accessToken();
    now += 3600_000 - 61_000;
    await api.accessToken();
    expect(rec.tokenRequests()).toBe(1);
    now += 2_000;
    await api.accessToken();
    expect(rec.tokenRequests()).toBe(2);
  });

  it('shares one token request between concurrent calls', async () => {
    const rec = recordingFetch();
    const api = client({ fetch: rec.fetcher });
    await Promise.all([api.GET('/api/v1/users'), api.GET('/api/v1/users'), api.GET('/api/v1/applications')]);
    expect(rec.tokenRequests()).toBe(1);
  });

  it('throws ManagementAuthError with the RFC 6749 code when the secret is wrong', async () => {
    const err = await client({ clientSecret: 'wrong' }).GET('/api/v1/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagementAuthError);
    expect(err).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('refuses wrong calls at compile time (checked by tsc -p packages/node/tsconfig.test.json)', () => {
    const wrong = (api: ReturnType<typeof client>) => [
      // @ts-expect-error an email is a string
      api.POST('/api/v1/users', { body: { email: 42, password: 'long enough password' } }),
      // @ts-expect-error no such route
      api.GET('/api/v1/nowhere'),
      // @ts-expect-error the path parameter is required
      api.POST('/api/v1/users/{id}/unlock', {}),
    ];
    expect(typeof wrong).toBe('function');
  });

  it('is typed for every management route the server documents (generated from /openapi.json, not by hand)', async () => {
    const doc = (await p.h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    const generated = readFileSync(new URL('../src/generated/schema.ts', import.meta.url), 'utf8');
    const management = Object.keys(doc.paths).filter((path) => path.startsWith('/api/v1/'));
    expect(management).toEqual(expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}/unlock', '/api/v1/risk/policy', '/api/v1/audit/events']));
    expect(management.filter((path) => !generated.includes(`    "${path}": {`)), 'run `npm run build` to regenerate').toEqual([]);
    expect(generated.startsWith('// Generated by scripts/generate-schema.mjs')).toBe(true);
  });
});
