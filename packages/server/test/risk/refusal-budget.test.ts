import { afterEach, describe, expect, it } from 'vitest';
import { createRefusalBudget } from '../../src/services/refusal-budget.js';
import { createHarness, TURNSTILE_TEST_CAPTCHA, type Harness } from '../support/harness.js';

/** A hand-driven monotonic clock for the budget (its waits run on real timers of a few ms). */
function manualTime() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('the refusal budget', () => {
  it('gives turns at once within its burst, then makes them wait for the rate', async () => {
    const time = manualTime();
    const budget = createRefusalBudget({ ratePerS: 100, maxWaitMs: 5000, now: time.now });
    // A tenth of a second of burst: ten turns at once, the eleventh waits.
    for (let i = 0; i < 10; i++) expect(budget.turn()).toBe(true);
    expect(budget.overBudget).toBe(true);
    const waiting = budget.turn();
    expect(waiting).toBeInstanceOf(Promise);
    expect(budget.waiting).toBe(1);
    time.advance(10); // one token's worth at 100/s
    await expect(waiting).resolves.toBe(true);
    expect(budget.waiting).toBe(0);
  });

  it('yields to allowed attempts: the busy rate applies while every hash slot is taken', () => {
    const time = manualTime();
    let busy = false;
    const budget = createRefusalBudget({ ratePerS: 1000, busyRatePerS: 10, maxWaitMs: 5000, now: time.now, busy: () => busy });
    busy = true;
    time.advance(1000);
    // Capped at the busy rate's burst (one token), however long the budget was idle.
    expect(budget.turn()).toBe(true);
    expect(budget.turn()).not.toBe(true);
  });

  it('answers false to a turn whose wait passes the bound', async () => {
    const time = manualTime();
    const budget = createRefusalBudget({ ratePerS: 1, maxWaitMs: 30, now: time.now });
    expect(budget.turn()).toBe(true);
    const turn = budget.turn();
    time.advance(40);
    await expect(turn).resolves.toBe(false);
  });

  it('is off at a rate of 0', () => {
    const budget = createRefusalBudget({ ratePerS: 0, maxWaitMs: 1000 });
    for (let i = 0; i < 1000; i++) expect(budget.turn()).toBe(true);
    expect(budget.overBudget).toBe(false);
  });

  it('trusts an address that signed in for an hour, by its /64 for IPv6', () => {
    const budget = createRefusalBudget({ ratePerS: 10, maxWaitMs: 1000 });
    budget.succeeded('2001:db8:1:2::7', 0);
    expect(budget.trusted('2001:db8:1:2:ffff::1', 3_599_999)).toBe(true);
    expect(budget.trusted('2001:db8:1:3::7', 0)).toBe(false);
    expect(budget.trusted('2001:db8:1:2::7', 3_600_000)).toBe(false);
  });

  it('forgets the oldest addresses past its bound', () => {
    const budget = createRefusalBudget({ ratePerS: 10, maxWaitMs: 1000, maxAddresses: 2 });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) budget.succeeded(ip, 0);
    expect(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => budget.trusted(ip, 1))).toEqual([false, true, true]);
  });
});

describe('a blocked address before its body is read', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('is told rate_limited with the same Retry-After without the engine, until an admin lifts the block', async () => {
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA, rules: { ip_failures: { points: 0 }, account_failures: { points: 0 } }, lockout: { ip: { limit: 5 } } });
    for (let i = 0; i < 5; i++) await h.login({ email: `u${i}@example.com`, password: 'nope' }, {}, '203.0.113.50');
    const first = await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '203.0.113.50');
    expect(first.statusCode).toBe(429);
    const attempts = (await h.deps.store.attempts.list(h.tenant.id, { limit: 100 })).length;
    // Not even a body: the answer comes from the hook, before parsing or validation.
    const shed = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-tenant': 'acme', 'content-type': 'application/json' }, payload: '{ not json', remoteAddress: '203.0.113.50' });
    expect(shed.statusCode).toBe(429);
    expect(shed.headers['retry-after']).toBe(first.headers['retry-after']);
    expect(shed.json()).toMatchObject({ error: 'rate_limited', details: { retry_after_s: first.json().details.retry_after_s } });
    expect((await h.deps.store.attempts.list(h.tenant.id, { limit: 100 })).length).toBe(attempts);
    // Another address is untouched.
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '203.0.113.51')).statusCode).toBe(200);
    await h.api('DELETE', '/api/v1/risk/ips/203.0.113.50/failures');
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '203.0.113.50')).statusCode).toBe(200);
  });

  it('makes an untrusted address wait for the budget before its body, and answers 503 with Retry-After past the bound', async () => {
    h = await createHarness({ env: { PORTCULLIS_REFUSAL_RATE: '1', PORTCULLIS_REFUSAL_WAIT_MS: '0' } });
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
    // The one turn of the budget goes to the first refusal (no device data: a captcha is due).
    const first = await h.login({ email: 'bot@example.com', password: 'guess', device: undefined }, {}, '198.51.100.1');
    expect(first.json().error).toBe('captcha_required');
    const shed = await h.login({ email: 'bot@example.com', password: 'guess', device: undefined }, {}, '198.51.100.2');
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.json()).toMatchObject({ error: 'service_unavailable', details: { retry_after_s: 1 } });
    // An address that signed in here before is not held back, even with the budget spent.
    const trusted = '203.0.113.9';
    h.deps.refusals.succeeded(trusted, h.clock.now());
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, trusted)).statusCode).toBe(200);
  });
});
