// Valid sign-ins per second through HTTP against a bare argon2id verify loop at the same concurrency,
// the server's CPU per sign-in against the loop's CPU per verify, and the same sign-ins with the risk
// engine switched off (engine on ÷ off). The machine is shared: bare loop and server alternate in
// short rounds, so both see the same neighbours, and the totals of all rounds are divided.
import { availableParallelism } from 'node:os';
import { startServer, load, bareHashRate, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';
import { withCpu, machineLoad } from './cpu.js';

const ROUNDS = 6;

export async function run() {
  const hashes = availableParallelism();
  const seconds = Math.max(1, BENCH_SECONDS / 3);
  const server = await startServer({});
  const open = await startServer({ overrides: { risk: 'open' } });
  // A server runs for hours: its first second (lazy compilation, cold caches) is not the steady state.
  for (const s of [server, open]) await load({ port: s.port, concurrency: hashes * 2, seconds: 1, requests: validLogins() });
  let off = 0;
  const bare = { ops: 0, cpuMs: 0, s: 0 };
  const on = { ops: 0, cpuMs: 0, s: 0, p99: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const b = await withCpu(() => bareHashRate(hashes, seconds));
    bare.ops += b.result * seconds; bare.cpuMs += b.cpuMs; bare.s += seconds;
    const s = await withCpu(() => load({ port: server.port, concurrency: hashes * 2, seconds, requests: validLogins() }));
    onlyStatuses(s.result, [200], 'sign-in bench');
    on.ops += s.result.total; on.cpuMs += s.cpuMs; on.s += seconds; on.p99 = Math.max(on.p99, s.result.p99);
    const o = await load({ port: open.port, concurrency: hashes * 2, seconds, requests: validLogins() });
    onlyStatuses(o, [200], 'sign-in bench (engine off)');
    off += o.total;
  }
  await server.stop();
  await open.stop();
  const onRate = on.ops / on.s;
  const bareRate = bare.ops / bare.s;
  const perSignIn = on.cpuMs / on.ops;
  const perVerify = bare.cpuMs / bare.ops;
  return [
    {
      name: 'valid sign-ins/s (HTTP, SQLite, engine on) ÷ bare argon2id verify loop',
      value: onRate, unit: 'sign-ins/s', baseline: bareRate, baselineUnit: 'verifies/s', ratio: onRate / bareRate, goal: '≥ 0.90',
      note: `${hashes} hashes in flight in both; ${on.ops} sign-ins, all 200; p99 ${on.p99.toFixed(0)} ms; ${ROUNDS} alternating rounds; ${machineLoad()}`,
    },
    {
      name: 'server CPU per sign-in ÷ CPU per bare verify',
      value: perSignIn, unit: 'ms CPU', baseline: perVerify, baselineUnit: 'ms CPU', ratio: perSignIn / perVerify, goal: '≤ 1.10',
      note: `process.cpuUsage() of the server process (all threads) over the same rounds ÷ answers; ${machineLoad()}`,
    },
    {
      name: 'sign-ins/s with the risk engine on ÷ off',
      value: onRate, unit: 'sign-ins/s', baseline: off / on.s, baselineUnit: 'sign-ins/s', ratio: on.ops / off, goal: '≥ 0.97',
      note: 'same server build, engine replaced by an allow-all gate; in the same alternating rounds',
    },
  ];
}
