// Challenged answers per second (no device data → captcha_required, before any hash; audited and in
// the decision log) against GET /healthz on the same server, alternating in short rounds; the hash
// counter must stay at zero during the flood.
import { availableParallelism } from 'node:os';
import { startServer, NO_REFUSAL_BUDGET, load, bareHashRate, loginRequest, onlyStatuses, TEST_CAPTCHA, BENCH_SECONDS } from './lib.js';
import { healthz, machineLoad, withCpu } from './cpu.js';

const ROUNDS = 3;

export async function run() {
  const bare = await bareHashRate(availableParallelism());
  const server = await startServer({ env: NO_REFUSAL_BUDGET, policy: { captcha: TEST_CAPTCHA } });
  const requests = Array.from({ length: 64 }, (_, i) => loginRequest({ email: `victim${i}@bench.example`, password: 'stuffed password' }));
  const seconds = Math.max(1, BENCH_SECONDS / ROUNDS);
  const before = server.deps.hasher.verifications;
  const flood = { total: 0, p99: 0, cpuMs: 0 };
  const health = { total: 0, cpuMs: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const h = await withCpu(() => healthz(server.port, 32, seconds));
    health.total += h.result.total; health.cpuMs += h.cpuMs;
    const { result: r, cpuMs } = await withCpu(() => load({ port: server.port, concurrency: 32, seconds, requests }));
    onlyStatuses(r, [403], 'refusal bench');
    flood.total += r.total; flood.p99 = Math.max(flood.p99, r.p99); flood.cpuMs += cpuMs;
  }
  const hashes = server.deps.hasher.verifications - before;
  await server.stop();
  if (hashes !== 0) throw new Error(`refusal bench hashed ${hashes} passwords`);
  const perSecond = flood.total / (seconds * ROUNDS);
  const healthPerSecond = health.total / (seconds * ROUNDS);
  return [{
    name: 'challenged answers/s (captcha_required, audited, decision-logged) ÷ GET /healthz',
    value: perSecond, unit: 'answers/s', baseline: healthPerSecond, baselineUnit: 'req/s', ratio: perSecond / healthPerSecond, goal: '≥ 0.5',
    note: `${flood.total} answers, 0 password hashes; ${(perSecond / bare).toFixed(0)}× the bare hash rate (${bare.toFixed(0)}/s); p99 ${flood.p99.toFixed(1)} ms; CPU ${(flood.cpuMs / flood.total * 1000).toFixed(0)} µs/answer vs ${(health.cpuMs / health.total * 1000).toFixed(0)} µs/healthz; ${ROUNDS} alternating rounds, 32 connections, refusal budget off; ${machineLoad()}`,
  }];
}
