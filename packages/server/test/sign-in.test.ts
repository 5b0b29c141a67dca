import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createHarness, type Harness } from './support/harness.js';
import { DATABASES, requirePostgresInCi } from './support/database.js';

requirePostgresInCi();

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`password sign-in on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.createUser('off@example.com', 'correct horse battery', { disabled: true });
  });
  afterAll(() => h.close());

  it('answers the success shape with tokens that verify against the tenant JWKS', async () => {
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data).toMatchObject({ state: 'success', token_type: 'Bearer', expires_in: 900 });
    expect(body.data.session.id).toMatch(/^ses_/);
    expect(body.data.session.user_id).toMatch(/^usr_/);
    expect(body.data.refresh_token.length).toBeGreaterThanOrEqual(40);
    const jwks = (await h.app.inject({ url: '/.well-known/jwks.json', headers: { 'x-tenant': 'acme' } })).json();
    const { payload, protectedHeader } = await jwtVerify(body.data.access_token, createLocalJWKSet(jwks), { currentDate: new Date(h.clock.now()) });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: jwks.keys[0].kid });
    expect(payload).toMatchObject({
      iss: 'http://127.0.0.1:3000/tenants/acme', sub: body.data.session.user_id, aud: 'http://127.0.0.1:3000/tenants/acme',
      sid: body.data.session.id, amr: ['pwd'], scope: 'openid',
    });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('matches emails case-insensitively', async () => {
    const res = await h.login({ email: '  Anita@EXAMPLE.com ', password: 'correct horse battery' });
    expect(res.statusCode).toBe(200);
  });

  it('gives unknown email and wrong password byte-identical answers apart from the request id, one hash each', async () => {
    const before = h.deps.hasher.verifications;
    const unknown = await h.login({ email: 'nobody@example.com', password: 'whatever-password' });
    const afterUnknown = h.deps.hasher.verifications;
    const wrong = await h.login({ email: 'anita@example.com', password: 'wrong password!' });
    expect(afterUnknown - before).toBe(1);
    expect(h.deps.hasher.verifications - afterUnknown).toBe(1);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const strip = (s: string) => s.replace(/req_[0-9A-Z]+/g, 'req_X');
    expect(strip(unknown.body)).toBe(strip(wrong.body));
    expect(unknown.json()).toEqual({ error: 'invalid_credentials', message: 'The email or password is incorrect.', request_id: unknown.headers['x-request-id'] });
    const headerNames = (r: typeof wrong) => Object.keys(r.headers).filter((k) => k !== 'date').sort();
    expect(headerNames(unknown)).toEqual(headerNames(wrong));
  });

  it('says account_disabled only after a correct password', async () => {
    const wrong = await h.login({ email: 'off@example.com', password: 'not the password' });
    expect(wrong.json().error).toBe('invalid_credentials');
    const right = await h.login({ email: 'off@example.com', password: 'correct horse battery' });
    expect(right.statusCode).toBe(403);
    expect(right.json().error).toBe('account_disabled');
  });

  it('writes user.signed_in and user.signed_in.failed to the audit log with request context', async () => {
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, { 'user-agent': 'vitest-agent' });
    const events = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in', limit: 1 });
    expect(events[0]).toMatchObject({
      type: 'user.signed_in', outcome: 'success', actor: { kind: 'user', id: res.json().data.session.user_id },
      target: { kind: 'session', id: res.json().data.session.id },
      context: { ip: '127.0.0.1', user_agent: 'vitest-agent', request_id: res.headers['x-request-id'], risk: { score: 0, action: 'allow', reasons: [] } },
    });
    const failed = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in.failed', limit: 10 });
    expect(failed.some((e) => e.data['error'] === 'invalid_credentials' && e.data['email'] === 'nobody@example.com')).toBe(true);
    expect(JSON.stringify(failed)).not.toContain('whatever-password');
  });

  it('writes one failure row per refused password, the same shape on every path', async () => {
    const since = (await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in.failed', limit: 500 })).length;
    const off = (await h.deps.store.users.byEmail(h.tenant.id, 'off@example.com'))!;
    await h.login({ email: 'off@example.com', password: 'correct horse battery' });
    await h.login({ email: 'ghost@example.com', password: 'whatever-password' });
    const rows = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in.failed', limit: 500 });
    expect(rows).toHaveLength(since + 2);
    const risk = { score: 0, action: 'allow', reasons: [] };
    expect(rows.slice(0, 2).map((r) => [r.outcome, r.actor, r.target, r.data, r.context['risk']])).toEqual([
      ['failure', { kind: 'user', id: null }, { kind: 'user', id: null }, { error: 'invalid_credentials', email: 'ghost@example.com' }, risk],
      ['denied', { kind: 'user', id: off.id }, { kind: 'user', id: off.id }, { error: 'account_disabled', email: 'off@example.com' }, risk],
    ]);
  });

  it('counts sign-ins by outcome in /metrics', async () => {
    const text = (await h.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/portcullis_sign_ins_total\{outcome="success"\} [1-9]/);
    expect(text).toMatch(/portcullis_sign_ins_total\{outcome="invalid_credentials"\} [1-9]/);
  });
});
}
