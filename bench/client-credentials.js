// Client-credentials tokens per second against GET /healthz on the same server, alternating in short rounds.
import { startServer, load, onlyStatuses, BENCH_SECONDS } from './lib.js';
import { healthz, withCpu, machineLoad } from './cpu.js';

const ROUNDS = 3;

export const tokenRequest = (server, scope) => {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: server.admin.client_id, client_secret: server.admin.client_secret, ...(scope ? { scope } : {}) }).toString();
  return { path: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': 'bench' }, body: form };
};

export async function run() {
  const server = await startServer();
  const concurrency = 16;
  const seconds = Math.max(1, BENCH_SECONDS / ROUNDS);
  const health = { ops: 0, cpuMs: 0 };
  const tokens = { ops: 0, cpuMs: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const h = await withCpu(() => healthz(server.port, concurrency, seconds));
    health.ops += h.result.total; health.cpuMs += h.cpuMs;
    const t = await withCpu(() => load({ port: server.port, concurrency, seconds, requests: [tokenRequest(server, 'users:read')] }));
    onlyStatuses(t.result, [200], 'token bench');
    tokens.ops += t.result.total; tokens.cpuMs += t.cpuMs;
  }
  await server.stop();
  const rate = tokens.ops / (seconds * ROUNDS);
  const healthRate = health.ops / (seconds * ROUNDS);
  return [{
    name: 'client-credentials tokens/s ÷ GET /healthz',
    value: rate, unit: 'tokens/s', baseline: healthRate, baselineUnit: 'req/s', ratio: rate / healthRate, goal: '≥ 0.4',
    note: `${concurrency} connections; each token signed (ES256) and audited (group commit); CPU ${(tokens.cpuMs / tokens.ops * 1000).toFixed(0)} µs/token vs ${(health.cpuMs / health.ops * 1000).toFixed(0)} µs/healthz; ${ROUNDS} alternating rounds; ${machineLoad()}`,
  }];
}
