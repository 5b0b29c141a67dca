import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';
import { DATABASES, requirePostgresInCi } from './support/database.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

requirePostgresInCi();

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`sessions: refresh rotation, reuse detection, logout on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  const refresh = (token: string) => h.app.inject({
    method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ grant_type: 'refresh_token', refresh_token: token }),
  });
  const signIn = async () => (await h.login({ email: 'rita@example.com', password: 'a long passphrase' })).json().data;

  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
    await h.createUser('rita@example.com', 'a long passphrase');
  });
  afterAll(() => h.close());

  it('rotates: a refresh token yields new tokens once, for the same session', async () => {
    const first = await signIn();
    const res = await refresh(first.refresh_token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(body.refresh_token).not.toBe(first.refresh_token);
    const again = await refresh(body.refresh_token);
    expect(again.statusCode).toBe(200);
  });

  it('revokes the whole family when a spent refresh token comes back, and audits why', async () => {
    const first = await signIn();
    const second = (await refresh(first.refresh_token)).json();
    const reuse = await refresh(first.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or already used.' });
    // The legitimate holder of the newest token is out too: the thief's copy must not survive.
    const newest = await refresh(second.refresh_token);
    expect(newest.json().error).toBe('invalid_grant');
    const revoked = await h.deps.store.audit.list(h.tenant.id, { type: 'user.session_revoked', limit: 5 });
    expect(revoked[0]).toMatchObject({ outcome: 'success', target: { kind: 'session', id: first.session.id }, data: { reason: 'refresh_token_reuse' } });
  });

  it('lets only one of two parallel refreshes with the same token succeed', async () => {
    const first = await signIn();
    const results = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
  });

  it('refuses an expired refresh token', async () => {
    const first = await signIn();
    h.clock.advance(31 * 24 * 3600 * 1000);
    expect((await refresh(first.refresh_token)).json().error).toBe('invalid_grant');
  });

  it('logs out: 204, the session is revoked and its refresh token dead', async () => {
    const first = await signIn();
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { 'x-tenant': 'acme', authorization: `Bearer ${first.access_token}` } });
    expect(out.statusCode).toBe(204);
    expect((await refresh(first.refresh_token)).json().error).toBe('invalid_grant');
    const events = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_out', limit: 1 });
    expect(events[0]?.target).toEqual({ kind: 'session', id: first.session.id });
  });

  it('refuses logout without a valid user token', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { 'x-tenant': 'acme', authorization: 'Bearer nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('unauthorized');
  });
});
}
