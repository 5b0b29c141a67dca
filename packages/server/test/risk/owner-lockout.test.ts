import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { mint, startEmulatorFor } from '../support/captcha.js';
import { DESKTOP_CHROME_SIGNALS } from '../../src/domain/risk/device-confidence.js';
import { createRedisCounters } from '../../src/adapters/redis/redis-counters.js';
import type { Counters } from '../../src/ports/counters.js';
import { Redis } from 'ioredis';

const REDIS = process.env['TEST_REDIS_URL'];
const PREFIX = `pt:owner:${Math.random().toString(36).slice(2)}:`;
const COUNTERS: Array<{ name: string; make?: () => Counters }> = [
  { name: 'memory counters' },
  ...(REDIS ? [{ name: 'Redis counters', make: () => createRedisCounters({ url: REDIS, keyPrefix: PREFIX }) }] : []),
];

// The recognition marks live 30 days: leave none behind in a shared Redis.
afterAll(async () => {
  if (!REDIS) return;
  const admin = new Redis(REDIS);
  const keys = await admin.keys(`${PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

const PASSWORD = 'correct horse battery';
const HOME = '192.0.2.10';
const OWNER_DEVICE = { visitor_id: 'vis_owner_laptop', signals: DESKTOP_CHROME_SIGNALS };
const stranger = (i: number) => ({ visitor_id: `vis_stranger_${i}`, signals: DESKTOP_CHROME_SIGNALS });

/**
 * Keycloak #46164: a spray at one account from many addresses runs up the account-wide counter,
 * which no single address could. It must lock strangers out, never the owner.
 */
for (const { name, make } of COUNTERS) describe(`an account sprayed from many addresses (${name})`, () => {
  let h: Harness;
  let emu: RunningEmulator;
  const token = () => ({ provider: 'turnstile', token: mint(emu) });
  beforeAll(async () => {
    h = await createHarness({ overrides: make ? { counters: make() } : {} });
    await h.createUser('anita@example.com', PASSWORD);
    emu = await startEmulatorFor(h, { lockout: { account: { limit: 5 } } });
    // The owner signed in last week from home, on her laptop.
    expect((await h.login({ email: 'anita@example.com', password: PASSWORD, device: OWNER_DEVICE }, {}, HOME)).statusCode).toBe(200);
    h.clock.advance(7 * 86_400_000);
    // Five guesses from five addresses, each solving its captcha when asked.
    for (let i = 0; i < 5; i++) {
      const res = await h.login({ email: 'anita@example.com', password: `guess ${i}`, device: stranger(i), captcha: token() }, {}, `203.0.113.${i + 1}`);
      expect(res.json().error).toBe('invalid_credentials');
    }
  });
  afterAll(async () => {
    await h.close();
    await emu.close();
  });

  it('locks the account for strangers, even one with the right password', async () => {
    const res = await h.login({ email: 'anita@example.com', password: PASSWORD, device: stranger(9), captcha: token() }, {}, '203.0.113.99');
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ error: 'account_locked', details: { retry_after_s: 3600 } });
    const [locked] = await h.deps.store.audit.list(h.tenant.id, { type: 'user.locked', limit: 1 });
    expect(locked?.data).toMatchObject({ scope: 'account' });
  });

  it('lets the owner in from her usual address and device after a captcha', async () => {
    const asked = await h.login({ email: 'anita@example.com', password: PASSWORD, device: OWNER_DEVICE }, {}, HOME);
    expect(asked.json().error).toBe('captcha_required');
    const res = await h.login({ email: 'anita@example.com', password: PASSWORD, device: OWNER_DEVICE, captcha: token() }, {}, HOME);
    expect(res.statusCode).toBe(200);
    const [signedIn] = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in', limit: 1 });
    expect((signedIn?.context['risk'] as { reasons: unknown[] }).reasons).toContainEqual(
      expect.objectContaining({ code: 'lockout.account_waived', owner: 'device', limit: 5, window_s: 86400 }),
    );
  });

  it('recognises her laptop on a new network, and her home address in another browser', async () => {
    const travelling = await h.login({ email: 'anita@example.com', password: PASSWORD, device: OWNER_DEVICE, captcha: token() }, {}, '198.51.100.200');
    expect(travelling.statusCode).toBe(200);
    const otherBrowser = await h.login({ email: 'anita@example.com', password: PASSWORD, device: stranger(42), captcha: token() }, {}, HOME);
    expect(otherBrowser.statusCode).toBe(200);
  });

  it('keeps strangers locked after the owner has signed in', async () => {
    const res = await h.login({ email: 'anita@example.com', password: PASSWORD, device: stranger(10), captcha: token() }, {}, '203.0.113.100');
    expect(res.json().error).toBe('account_locked');
  });
});
