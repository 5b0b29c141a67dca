/**
 * Several `portcullis start` processes behind one imaginary load balancer, sharing one
 * PostgreSQL schema and one Redis (DESIGN §2): the limits, the captcha replay set, locks and
 * refresh-token rotation must hold for the deployment, not per process.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  auditEvents, createDeployment, createTenant, describeScale, login, mintTurnstileToken, redisCommand, request,
  setPolicy, startOwnRedis, turnstileAt, type Deployment, type Instance, type OwnRedis, type TenantHandle,
} from './support.js';

const PASSWORD = 'correct horse battery staple';
/** Only the account+IP lockout (limit 10) decides: the score rules that would challenge first are off. */
const LOCKOUT_ONLY = { rules: { account_failures: { points: 0 }, ip_failures: { points: 0 } } };

describeScale('scaled out: instances sharing PostgreSQL and Redis', () => {
  let deployment: Deployment;
  let instances: Instance[];
  let ownRedis: OwnRedis;
  let onOwnRedis: Instance[];
  const tenants: Record<'lockout' | 'captcha' | 'refresh' | 'locks', TenantHandle> = {} as never;

  beforeAll(async () => {
    deployment = await createDeployment();
    const migrated = await deployment.cli(['migrate', '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const made = await Promise.all([
      createTenant(deployment, 'lockout', [{ email: 'anita@example.com', password: PASSWORD }]),
      createTenant(deployment, 'captcha', [{ email: 'bea@example.com', password: PASSWORD }]),
      createTenant(deployment, 'refresh', [{ email: 'cleo@example.com', password: PASSWORD }]),
      createTenant(deployment, 'locks', [{ email: 'dora@example.com', password: PASSWORD }, { email: 'eve@example.com', password: PASSWORD }]),
    ]);
    [tenants.lockout, tenants.captcha, tenants.refresh, tenants.locks] = made;
    // The first start seeds the demo tenant; the others start once it exists (see the report: a
    // simultaneous first start of several instances races on that seed).
    const first = await deployment.start();
    ownRedis = await startOwnRedis();
    const rest = await Promise.all([
      deployment.start(), deployment.start(),
      deployment.start({ redisUrl: ownRedis.url }), deployment.start({ redisUrl: ownRedis.url }),
    ]);
    instances = [first, rest[0], rest[1]];
    onOwnRedis = [rest[2], rest[3]];
  }, 90_000);

  afterAll(async () => {
    await deployment?.close();
  });

  it('lets at most the account+IP limit of 100 parallel wrong passwords, spread over three instances, reach the password check', async () => {
    const tenant = tenants.lockout;
    // Policy written through the first instance; the others have not resolved this tenant yet, so no cache is stale.
    await setPolicy(instances[0]!.url, tenant, LOCKOUT_ONLY);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      login(instances[i % 3]!.url, tenant, { email: 'anita@example.com', password: `wrong-${i}` })));

    const codes = answers.map((a) => `${a.status} ${a.body?.error}`);
    const invalid = codes.filter((c) => c === '401 invalid_credentials').length;
    const locked = codes.filter((c) => c === '429 account_locked').length;
    expect(invalid + locked, `unexpected answers: ${[...new Set(codes)].join(', ')}`).toBe(100);
    expect(invalid).toBeGreaterThan(0);
    expect(invalid).toBeLessThanOrEqual(10);

    // The audit log agrees: no more than ten password checks failed, and the lock holds everywhere.
    const failed = await auditEvents(instances[1]!.url, tenant, 'user.signed_in.failed');
    expect(failed.filter((e) => e.data['error'] === 'invalid_credentials')).toHaveLength(invalid);
    for (const instance of instances) {
      const right = await login(instance.url, tenant, { email: 'anita@example.com', password: PASSWORD });
      expect(right.status).toBe(429);
      expect(right.body).toMatchObject({ error: 'account_locked', details: { retry_after_s: expect.any(Number) } });
    }
  });

  it('passes one captcha token sent to two instances at once exactly once', async () => {
    const tenant = tenants.captcha;
    const [a, b] = instances as [Instance, Instance];
    await setPolicy(a.url, tenant, { captcha: { ...turnstileAt(a.port), on_every_login: true } });
    const without = await login(b.url, tenant, { email: 'bea@example.com', password: PASSWORD });
    expect(without.body).toMatchObject({ error: 'captcha_required' });

    for (let round = 0; round < 5; round++) {
      const token = await mintTurnstileToken(a.url);
      const body = { email: 'bea@example.com', password: PASSWORD, captcha: { provider: 'turnstile', token } };
      const both = await Promise.all([login(a.url, tenant, body), login(b.url, tenant, body)]);
      const passed = both.filter((r) => r.status === 200);
      const refused = both.filter((r) => r.status !== 200);
      expect(passed, `round ${round}: ${JSON.stringify(both.map((r) => r.body))}`).toHaveLength(1);
      expect(refused[0]!.status).toBe(403);
      expect(refused[0]!.body).toMatchObject({ error: 'captcha_invalid', details: { reason: 'already_used' } });
      // And a third, later use on either instance is refused too.
      const later = await login(round % 2 ? a.url : b.url, tenant, body);
      expect(later.body).toMatchObject({ error: 'captcha_invalid', details: { reason: 'already_used' } });
    }
  });

  it('keeps a lock set through one instance on the others, also after a Redis FLUSHALL', async () => {
    const tenant = tenants.locks;
    const [one, two] = onOwnRedis as [Instance, Instance];
    await setPolicy(one.url, tenant, LOCKOUT_ONLY);
    for (let i = 0; i < 10; i++) {
      const wrong = await login(one.url, tenant, { email: 'dora@example.com', password: `wrong-${i}` });
      expect(wrong.body?.error).toBe('invalid_credentials');
    }
    const locking = await login(one.url, tenant, { email: 'dora@example.com', password: 'wrong-again' });
    expect(locking.status).toBe(429);
    expect(locking.body).toMatchObject({ error: 'account_locked' });

    const elsewhere = await login(two.url, tenant, { email: 'dora@example.com', password: PASSWORD });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.body.details.retry_after_s).toBeGreaterThan(800);
    expect(elsewhere.headers['retry-after']).toBeDefined();

    // Our own Redis: nothing else lives there, so wiping it is safe. The counters are gone; the lock is not.
    expect(await redisCommand(ownRedis.port, ['FLUSHALL'])).toBe('+OK');
    expect(await redisCommand(ownRedis.port, ['DBSIZE'])).toBe(':0');
    for (const instance of onOwnRedis) {
      const right = await login(instance.url, tenant, { email: 'dora@example.com', password: PASSWORD });
      expect(right.status).toBe(429);
      expect(right.body).toMatchObject({ error: 'account_locked', details: { retry_after_s: expect.any(Number) } });
    }
    // Only that account is locked: another user from the same address still signs in.
    const other = await login(two.url, tenant, { email: 'eve@example.com', password: PASSWORD });
    expect(other.status).toBe(200);
    const locks = await auditEvents(two.url, tenant, 'user.locked');
    expect(locks).toHaveLength(1);
    expect(locks[0]!.data).toMatchObject({ scope: 'account_ip' });
  });

  it('detects refresh-token reuse across instances and revokes the newest token too', async () => {
    const tenant = tenants.refresh;
    const [a, b] = instances as [Instance, Instance];
    const signedIn = await login(a.url, tenant, { email: 'cleo@example.com', password: PASSWORD });
    expect(signedIn.status).toBe(200);
    const first = signedIn.body.data.refresh_token as string;
    const refresh = (url: string, token: string) => request(`${url}/oauth2/token`, {
      headers: { 'x-tenant': tenant.slug }, form: { grant_type: 'refresh_token', refresh_token: token },
    });

    const rotated = await refresh(a.url, first);
    expect(rotated.status).toBe(200);
    const newest = rotated.body.refresh_token as string;
    expect(newest).not.toBe(first);

    const reuse = await refresh(b.url, first);
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });

    for (const url of [b.url, a.url]) {
      const dead = await refresh(url, newest);
      expect(dead.status).toBe(400);
      expect(dead.body).toMatchObject({ error: 'invalid_grant' });
    }
    const revoked = await auditEvents(a.url, tenant, 'user.session_revoked');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.data).toMatchObject({ reason: 'refresh_token_reuse' });
  });

  it('spends a refresh token once when two instances are handed it at the same moment, and the family dies', async () => {
    const tenant = tenants.refresh;
    const [a, b] = instances as [Instance, Instance];
    const signedIn = await login(b.url, tenant, { email: 'cleo@example.com', password: PASSWORD });
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.data.refresh_token as string;
    const refresh = (url: string, t: string) => request(`${url}/oauth2/token`, {
      headers: { 'x-tenant': tenant.slug }, form: { grant_type: 'refresh_token', refresh_token: t },
    });
    const both = await Promise.all([refresh(a.url, token), refresh(b.url, token)]);
    const rotated = both.filter((r) => r.status === 200);
    expect(rotated.length, JSON.stringify(both.map((r) => r.body))).toBeLessThanOrEqual(1);
    for (const r of both.filter((x) => x.status !== 200)) expect(r.body).toMatchObject({ error: 'invalid_grant' });
    // The second use was a reuse: whatever the winner got is revoked with its session.
    for (const r of rotated) expect((await refresh(a.url, r.body.refresh_token as string)).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('keeps every tenant\'s audit hash chain intact after parallel writes from several instances', async () => {
    const verified = await deployment.cli(['audit', 'verify', '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json.ok).toBe(true);
    const lockout = (verified.json.tenants as Array<{ slug: string; events: number }>).find((t) => t.slug === 'lockout');
    expect(lockout!.events).toBeGreaterThan(100);
  });
});
