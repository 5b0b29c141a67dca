import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load.js';
import { compose } from '../../src/compose.js';
import { buildApp } from '../../src/http/app.js';
import { createTenant } from '../../src/services/tenants.js';
import { createUser } from '../../src/services/users.js';
import { updatePolicy } from '../../src/services/risk/policy.js';
import type { Deps } from '../../src/services/deps.js';
import { HUMAN_DEVICE, TURNSTILE_TEST_CAPTCHA } from '../support/harness.js';

const DATACENTER = fileURLToPath(new URL('../../../../test-data/ip-lists/x4bnet/datacenter-ipv4.txt', import.meta.url));
const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 12);
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * A bounded soak on loopback (DESIGN §12, issue "Scale-out"): legitimate sign-ins from residential
 * addresses, a credential-stuffing flood from datacenter addresses, and machine tokens, at once.
 * Client addresses travel in X-Forwarded-For from a trusted loopback proxy.
 */
describe('soak: mixed traffic on the embedded default', () => {
  let app: FastifyInstance;
  let deps: Deps;
  let close: () => Promise<void>;
  let base: string;
  let admin: { client_id: string; client_secret: string };
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-soak-'));

  beforeAll(async () => {
    const config = loadConfig({
      PORTCULLIS_DATA_DIR: dir, NODE_ENV: 'test', PORTCULLIS_TRUSTED_PROXIES: '127.0.0.1/32', PORTCULLIS_HASH_QUEUE: '1000',
      PORTCULLIS_THREAT_FEEDS: JSON.stringify([{ name: 'x4b-datacenter', category: 'datacenter', format: 'text', source: { path: DATACENTER } }]),
    });
    ({ deps, close } = await compose(config));
    app = await buildApp(deps);
    const created = await createTenant(deps, { slug: 'soak' });
    admin = created.application;
    const tenant = (await deps.store.tenants.bySlug('soak'))!;
    for (let i = 0; i < 8; i++) await createUser(deps, { tenant }, { kind: 'operator', id: null }, { email: `user${i}@soak.example`, password: 'soak password 1' });
    await updatePolicy(deps, { tenant, ip: 'test', userAgent: 'test', requestId: 'req_soak' }, { kind: 'operator', id: null }, { captcha: TURNSTILE_TEST_CAPTCHA });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps legitimate success ≥ 99 %, answers no 5xx, and holds memory flat', async () => {
    const statuses = { legit: new Map<number, number>(), flood: new Map<number, number>(), machine: new Map<number, number>() };
    const count = (m: Map<number, number>, s: number) => m.set(s, (m.get(s) ?? 0) + 1);
    const deadline = Date.now() + SECONDS * 1000;
    const post = (path: string, ip: string, body: string, type = 'application/json') => fetch(`${base}${path}`, {
      method: 'POST', body, headers: { 'content-type': type, 'x-tenant': 'soak', 'x-forwarded-for': ip },
    }).then(async (r) => { await r.arrayBuffer(); return r.status; });
    const heap: number[] = [];
    const sampler = setInterval(() => { gc?.(); heap.push(process.memoryUsage().heapUsed); }, 1000);

    const legit = async (worker: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const user = (worker * 2 + i) % 8;
        count(statuses.legit, await post('/api/v1/auth/login', `192.0.2.${10 + user}`, JSON.stringify({ email: `user${user}@soak.example`, password: 'soak password 1', device: HUMAN_DEVICE })));
      }
    };
    const flood = async (worker: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const ip = `3.5.${worker}.${i % 250}`;
        count(statuses.flood, await post('/api/v1/auth/login', ip, JSON.stringify({ email: `victim${i % 500}@soak.example`, password: `guess-${i}` })));
      }
    };
    const machine = async () => {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret, scope: 'users:read' }).toString();
      while (Date.now() < deadline) count(statuses.machine, await post('/oauth2/token', '198.51.100.7', form, 'application/x-www-form-urlencoded'));
    };
    await Promise.all([legit(0), legit(1), legit(2), legit(3), ...Array.from({ length: 12 }, (_, w) => flood(w)), machine()]);
    clearInterval(sampler);

    const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const show = (m: Map<number, number>) => [...m].map(([k, v]) => `${k}:${v}`).join(' ');
    console.info(`soak ${SECONDS}s: legit ${show(statuses.legit)} | flood ${show(statuses.flood)} | machine ${show(statuses.machine)} | heap MB ${heap.map((h) => (h / 2 ** 20).toFixed(0)).join(',')}`);
    const all = [...statuses.legit, ...statuses.flood, ...statuses.machine];
    expect(all.filter(([s]) => s >= 500), JSON.stringify(all)).toEqual([]);
    expect(total(statuses.legit)).toBeGreaterThan(20);
    expect((statuses.legit.get(200) ?? 0) / total(statuses.legit)).toBeGreaterThanOrEqual(0.99);
    expect(total(statuses.flood)).toBeGreaterThan(100);
    expect(statuses.flood.get(200) ?? 0).toBe(0);
    expect(statuses.machine.get(200)).toBe(total(statuses.machine));
    if (gc && heap.length >= 6) {
      // Flat: the last samples sit within 20 MB of the samples a third of the way in.
      const third = Math.floor(heap.length / 3);
      const early = Math.max(...heap.slice(third, 2 * third));
      const late = Math.min(...heap.slice(2 * third));
      expect((late - early) / 2 ** 20).toBeLessThan(20);
    }
  }, 60_000);
});
