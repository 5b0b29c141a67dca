/**
 * DESIGN §12 against real processes: Redis gone (fail towards a challenge, never open), the
 * database gone (503, not ready, still alive), and a SIGKILL under load (no answer a client
 * received lacks its audit row, and the hash chain stays intact).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  HUMAN_DEVICE, TEST_DATABASE_URL, auditEvents, createDeployment, createTenant, describeScale, eventually, login, mintTurnstileToken,
  request, setPolicy, startOwnRedis, startTcpProxy, turnstileAt, withSchema,
  type Answer, type Deployment, type Instance, type OwnRedis, type TcpProxy, type TenantHandle,
} from './support.js';

const PASSWORD = 'correct horse battery staple';

describeScale('scaled out: faults', () => {
  let deployment: Deployment;
  let ownRedis: OwnRedis;
  let proxy: TcpProxy;
  let onOwnRedis: Instance;
  let behindProxy: Instance;
  let victim: Instance;
  const tenants: Record<'redis' | 'pg' | 'kill', TenantHandle> = {} as never;

  beforeAll(async () => {
    deployment = await createDeployment();
    const migrated = await deployment.cli(['migrate', '--json']);
    expect(migrated.code, migrated.stderr).toBe(0);
    [tenants.redis, tenants.pg, tenants.kill] = await Promise.all([
      createTenant(deployment, 'redis-outage', [{ email: 'rita@example.com', password: PASSWORD }]),
      createTenant(deployment, 'db-outage', [{ email: 'paul@example.com', password: PASSWORD }]),
      createTenant(deployment, 'sigkill', [{ email: 'kim@example.com', password: PASSWORD }, { email: 'lee@example.com', password: PASSWORD }]),
    ]);
    ownRedis = await startOwnRedis();
    const db = new URL(TEST_DATABASE_URL!);
    proxy = await startTcpProxy(db.hostname, Number(db.port || 5432));
    onOwnRedis = await deployment.start({ redisUrl: ownRedis.url });
    [behindProxy, victim] = await Promise.all([
      deployment.start({ databaseUrl: withSchema(TEST_DATABASE_URL!, deployment.schema.name, proxy.port) }),
      deployment.start(),
    ]);
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await deployment?.close();
  });

  it('challenges every sign-in while Redis is down, audits it, and resumes normal decisions when Redis is back', async () => {
    const tenant = tenants.redis;
    const url = onOwnRedis.url;
    await setPolicy(url, tenant, { captcha: turnstileAt(onOwnRedis.port) });
    const right = { email: 'rita@example.com', password: PASSWORD };
    expect((await login(url, tenant, right)).status).toBe(200);

    await ownRedis.stop();
    for (const body of [right, right, { ...right, password: 'wrong' }, right, { email: 'nobody@example.com', password: 'x' }]) {
      const started = performance.now();
      const res = await login(url, tenant, body);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ error: 'captcha_required', details: { provider: 'turnstile', site_key: '1x00000000000000000000AA', action: 'login' } });
      expect(performance.now() - started).toBeLessThan(3000); // fail fast, no queue behind a dead Redis
    }
    // A human still gets in: a solved captcha passes while the counters are blind.
    const solved = await login(url, tenant, { ...right, captcha: { provider: 'turnstile', token: await mintTurnstileToken(url) } });
    expect(solved.status, JSON.stringify(solved.body)).toBe(200);

    const outage = await eventually('counter outage audited', 5000, async () => {
      const events = await auditEvents(url, tenant, 'security.counter_store_unavailable');
      return events.length > 0 ? events : undefined;
    });
    expect(outage[0]).toMatchObject({ type: 'security.counter_store_unavailable', outcome: 'failure' });

    await ownRedis.start(); // same port, empty
    const back = await eventually('normal sign-in after Redis returns', 15_000, async () => {
      const res = await login(url, tenant, right);
      return res.status === 200 ? res : undefined;
    });
    expect(back.body.data).toMatchObject({ state: 'success', token_type: 'Bearer' });

    // A hung Redis (connection open, no replies) is as blind as a dead one, and must not hang sign-in.
    ownRedis.pause();
    try {
      const started = performance.now();
      const hung = await login(url, tenant, right);
      expect(hung.body).toMatchObject({ error: 'captcha_required' });
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      ownRedis.resume();
    }
    await eventually('normal sign-in after Redis answers again', 15_000, async () => ((await login(url, tenant, right)).status === 200 ? true : undefined));
  }, 40_000);

  it('answers 503 service_unavailable and turns unready while PostgreSQL is unreachable, stays up, and recovers', async () => {
    const tenant = tenants.pg;
    const url = behindProxy.url;
    const right = { email: 'paul@example.com', password: PASSWORD };
    expect((await login(url, tenant, right)).status).toBe(200);

    await proxy.close();
    const readiness = await request(`${url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(readiness.body).toMatchObject({ ready: false });
    const down = await login(url, tenant, right);
    expect(down.status, JSON.stringify(down.body)).toBe(503);
    expect(down.body).toMatchObject({ error: 'service_unavailable', request_id: down.requestId });
    expect(down.headers['retry-after']).toBeDefined();
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
    // Still alive and answering.
    await sleep(500);
    expect(behindProxy.alive()).toBe(true);
    expect((await request(`${url}/healthz`)).status).toBe(200);

    await proxy.open();
    await eventually('ready again', 15_000, async () => ((await request(`${url}/readyz`)).status === 200 ? true : undefined));
    const after = await login(url, tenant, right);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  }, 40_000);

  /** An instance of its own behind a proxy of its own: the tests below may leave it dead. */
  async function isolatedBehindProxy(): Promise<{ instance: Instance; proxy: TcpProxy; close(): Promise<void> }> {
    const db = new URL(TEST_DATABASE_URL!);
    const own = await startTcpProxy(db.hostname, Number(db.port || 5432));
    const instance = await deployment.start({ databaseUrl: withSchema(TEST_DATABASE_URL!, deployment.schema.name, own.port), emulator: false });
    return { instance, proxy: own, async close() { await instance.kill('SIGKILL'); await own.close(); } };
  }

  const signInOn = (url: string, timeoutMs: number) => request(`${url}/api/v1/auth/login`, {
    json: { email: 'paul@example.com', password: PASSWORD, device: HUMAN_DEVICE }, headers: { 'x-tenant': tenants.pg.slug }, timeoutMs,
  });

  // BUG (reported): a connection cut while a query is in flight kills the process. pg emits 'error'
  // on the checked-out client, and the pool's listener covers idle clients only
  // (src/adapters/sql/connect.ts). DESIGN §12: the process stays up. Flip to `it` once fixed.
  it('stays up when its PostgreSQL connections are cut mid-query', async () => {
    const { instance, proxy: own, close } = await isolatedBehindProxy();
    try {
      expect((await signInOn(instance.url, 10_000)).status).toBe(200); // the pool now holds idle connections
      own.silence();
      const pending = signInOn(instance.url, 10_000).then((r) => r, (e: Error) => e);
      await sleep(500);
      own.unsilence(); // cuts the connection the sign-in is waiting on
      const answer = await pending;
      expect(answer).not.toBeInstanceOf(Error);
      expect((answer as Answer).body).toMatchObject({ error: 'service_unavailable' });
      await sleep(300);
      expect(instance.alive(), instance.logs().slice(-1500)).toBe(true);
    } finally {
      await close();
    }
  }, 30_000);

  // BUG (reported): a hung database (connections open, no replies) hangs every sign-in that picks an
  // idle pooled connection, with no end: the pool sets no query timeout (src/adapters/sql/connect.ts).
  // DESIGN §12 wants a 503. Flip to `it` once queries are bounded.
  it('answers 503 within seconds while PostgreSQL hangs (connections open, no replies)', async () => {
    const { instance, proxy: own, close } = await isolatedBehindProxy();
    try {
      expect((await signInOn(instance.url, 10_000)).status).toBe(200);
      own.silence();
      const hung = await signInOn(instance.url, 8000).then((r) => r, (e: Error) => ({ status: 0, body: e.message }));
      expect(hung.status, JSON.stringify(hung.body)).toBe(503);
    } finally {
      await close();
    }
  }, 30_000);

  it('after a SIGKILL under load, every answer a client received has its audit row and the chain verifies', async () => {
    const tenant = tenants.kill;
    // Failures from this one address must not challenge everyone (ip_failures off, no IP block), so
    // the load mixes successes, wrong passwords and (after three per account) captcha challenges.
    await setPolicy(victim.url, tenant, {
      captcha: turnstileAt(victim.port), rules: { ip_failures: { points: 0 } }, lockout: { ip: { limit: 1_000_000 } },
    });
    const received: Answer[] = [];
    let cut = 0; // requests in flight when the process died
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const i = n++;
        const body = i % 3 === 0 ? { email: 'kim@example.com', password: PASSWORD }
          : i % 3 === 1 ? { email: 'lee@example.com', password: `wrong-${i}` }
            : { email: `ghost-${i}@example.com`, password: 'nope' };
        try {
          received.push(await login(victim.url, tenant, body));
        } catch (error) {
          // No answer, nothing to hold the server to. A reset is a request the kill caught in flight;
          // a refused connection means the process is gone.
          const code = (error as { code?: string }).code;
          if (code === 'ECONNRESET' || /socket hang up/.test(String(error))) cut += 1;
          else return;
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 4 }, worker));
    await eventually('load running', 20_000, async () => (received.length >= 40 ? true : undefined));
    await victim.kill('SIGKILL');
    stop = true;
    await workers;
    expect(cut).toBeGreaterThan(0);

    await victim.start();
    const expected: Record<string, string> = {
      '200 undefined': 'user.signed_in', '401 invalid_credentials': 'user.signed_in.failed',
      '403 captcha_required': 'captcha.required', '429 account_locked': 'user.signed_in.failed', '429 rate_limited': 'user.signed_in.failed',
    };
    const kinds = new Set(received.map((r) => `${r.status} ${r.body?.error}`));
    for (const kind of kinds) expect(Object.keys(expected), `unexpected answer ${kind}`).toContain(kind);
    expect(kinds).toContain('200 undefined');
    expect(kinds).toContain('401 invalid_credentials');

    const byRequest = new Map<string, string[]>();
    for (const type of new Set(Object.values(expected))) {
      for (const event of await auditEvents(victim.url, tenant, type)) {
        const id = String(event.context['request_id']);
        byRequest.set(id, [...(byRequest.get(id) ?? []), event.type]);
      }
    }
    const missing = received.filter((r) => !byRequest.get(r.requestId ?? '')?.includes(expected[`${r.status} ${r.body?.error}`]!));
    expect(missing.map((r) => `${r.status} ${r.body?.error} ${r.requestId}`)).toEqual([]);

    const verified = await deployment.cli(['audit', 'verify', '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json).toMatchObject({ ok: true });
  }, 60_000);
});
