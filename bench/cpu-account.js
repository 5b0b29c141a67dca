// Where a sign-in's CPU goes (issue 15): `node bench/cpu-account.js` (after `npm run build`).
// Alternates a bare argon2id verify loop and HTTP sign-ins against the in-process server, and
// splits this process's CPU by thread from /proc (event loop, libuv pool = the hashes and the WAL
// flushes, V8's GC helpers), with page faults and context switches from getrusage.
import { availableParallelism, loadavg } from 'node:os';
import { startServer, load, bareHashRate, validLogins } from './lib.js';
import { threadCpu } from './cpu.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

function sample() {
  const r = process.resourceUsage();
  return { t: threadCpu(), cpu: (r.userCPUTime + r.systemCPUTime) / 1000, sys: r.systemCPUTime / 1000, minflt: r.minorPageFault, vcsw: r.voluntaryContextSwitches, ivcsw: r.involuntaryContextSwitches };
}

function add(acc, a, b, ops) {
  acc.ops += ops;
  for (const k of ['cpu', 'sys', 'minflt', 'vcsw', 'ivcsw']) acc[k] += b[k] - a[k];
  for (const k of ['main', 'pool', 'v8']) acc[k] += b.t[k] - a.t[k];
}

const blank = () => ({ ops: 0, cpu: 0, sys: 0, minflt: 0, vcsw: 0, ivcsw: 0, main: 0, pool: 0, v8: 0 });
const hashes = availableParallelism();
const server = await startServer({});
await load({ port: server.port, concurrency: hashes * 2, seconds: 1, requests: validLogins() });
const bare = blank();
const signIn = blank();
for (let round = 0; round < ROUNDS; round++) {
  let a = sample();
  const rate = await bareHashRate(hashes, SECONDS);
  add(bare, a, sample(), rate * SECONDS);
  a = sample();
  const res = await load({ port: server.port, concurrency: hashes * 2, seconds: SECONDS, requests: validLogins() });
  add(signIn, a, sample(), res.total);
}
await server.stop();
const per = (acc, k) => acc[k] / acc.ops;
const row = (k, unit, digits = 2) => `| ${k} | ${per(bare, k).toFixed(digits)} | ${per(signIn, k).toFixed(digits)} | ${(per(signIn, k) - per(bare, k)).toFixed(digits)} | ${unit} |`;
console.log(`${ROUNDS} rounds × ${SECONDS} s each side, ${hashes} hashes in flight; ${bare.ops.toFixed(0)} verifies, ${signIn.ops} sign-ins; load ${loadavg()[0].toFixed(2)}\n`);
console.log('| per operation | bare verify | sign-in | difference | unit |\n|---|---|---|---|---|');
for (const [k, unit] of [['cpu', 'ms CPU, all threads'], ['main', 'ms CPU, event loop'], ['pool', 'ms CPU, libuv pool (hash, WAL flush)'], ['v8', 'ms CPU, V8 helper threads (GC)'], ['sys', 'ms CPU in the kernel (of the total)']]) console.log(row(k, unit));
for (const [k, unit] of [['minflt', 'minor page faults'], ['vcsw', 'voluntary context switches'], ['ivcsw', 'involuntary context switches']]) console.log(row(k, unit, 1));
console.log(`\nratio CPU per sign-in ÷ CPU per verify: ${(per(signIn, 'cpu') / per(bare, 'cpu')).toFixed(3)}; sign-ins/s ÷ verifies/s: ${((signIn.ops / (ROUNDS * SECONDS)) / (bare.ops / (ROUNDS * SECONDS))).toFixed(3)}`);
