// Valid sign-ins per second through HTTP against a bare argon2id verify loop at the same concurrency,
// and the same sign-ins with the risk engine switched off (engine on ÷ off).
import { availableParallelism } from 'node:os';
import { startServer, load, bareHashRate, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';


async function signInRate(overrides) {
  const server = await startServer({ overrides });
  const result = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS, requests: validLogins() });
  await server.stop();
  onlyStatuses(result, [200], 'sign-in bench');
  return result;
}

export async function run() {
  const hashes = availableParallelism();
  const bare = await bareHashRate(hashes);
  const on = await signInRate({});
  const off = await signInRate({ risk: 'open' });
  return [
    {
      name: 'valid sign-ins/s (HTTP, SQLite, engine on) ÷ bare argon2id verify loop',
      value: on.perSecond, unit: 'sign-ins/s', baseline: bare, baselineUnit: 'verifies/s', ratio: on.perSecond / bare, goal: '≥ 0.95',
      note: `${hashes} hashes in flight in both; ${on.total} sign-ins, all 200; p99 ${on.p99.toFixed(0)} ms`,
    },
    {
      name: 'sign-ins/s with the risk engine on ÷ off',
      value: on.perSecond, unit: 'sign-ins/s', baseline: off.perSecond, baselineUnit: 'sign-ins/s', ratio: on.perSecond / off.perSecond, goal: '≥ 0.97',
      note: 'same server build, engine replaced by an allow-all gate',
    },
  ];
}
