// The price of the durable, hash-chained audit log: the same workload with audit writes on and
// off (off = the store's audit appends replaced by no-ops, in this benchmark only). Both servers
// run side by side and are measured in alternating rounds, so both see the same neighbours.
import { availableParallelism } from 'node:os';
import { startServer, load, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';
import { tokenRequest } from './client-credentials.js';
import { machineLoad, withCpu } from './cpu.js';

const ROUNDS = 6;

function disableAudit(store) {
  const transaction = store.transaction.bind(store);
  const silent = { append: async (e) => ({ ...e, id: 'evt_off', seq: 0, prevHash: '', hash: '' }), appendMany: async () => [] };
  store.transaction = (work) => transaction((tx) => work({ ...tx, audit: { ...tx.audit, ...silent } }));
}

export async function run() {
  const on = await startServer();
  const off = await startServer();
  disableAudit(off.deps.store);
  const seconds = Math.max(1, BENCH_SECONDS / ROUNDS);
  const totals = { on: { signIns: 0, tokens: 0, signInCpu: 0, tokenCpu: 0 }, off: { signIns: 0, tokens: 0, signInCpu: 0, tokenCpu: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, server] of round % 2 === 0 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) {
      // Only one server is under load at a time: this process's CPU meanwhile is that server's.
      const { result: signIns, cpuMs: signInCpu } = await withCpu(() => load({ port: server.port, concurrency: availableParallelism() * 2, seconds, requests: validLogins() }));
      const { result: tokens, cpuMs: tokenCpu } = await withCpu(() => load({ port: server.port, concurrency: 16, seconds, requests: [tokenRequest(server)] }));
      totals[name].signInCpu += signInCpu;
      totals[name].tokenCpu += tokenCpu;
      onlyStatuses(signIns, [200], 'audit bench sign-ins');
      onlyStatuses(tokens, [200], 'audit bench tokens');
      totals[name].signIns += signIns.total;
      totals[name].tokens += tokens.total;
    }
  }
  await on.stop();
  await off.stop();
  const rate = (n) => n / (seconds * ROUNDS);
  const cpu = (side, what) => (totals[side][`${what}Cpu`] / totals[side][`${what}s`]);
  const cpuNote = (what, unit) => `CPU per ${unit} off ÷ on ${(cpu('off', what) / cpu('on', what)).toFixed(3)} (${cpu('off', what).toFixed(2)} ÷ ${cpu('on', what).toFixed(2)} ms)`;
  return [
    {
      name: 'sign-ins/s with the audit log on ÷ off (durable group commits)',
      value: rate(totals.on.signIns), unit: 'sign-ins/s', baseline: rate(totals.off.signIns), baselineUnit: 'sign-ins/s', ratio: totals.on.signIns / totals.off.signIns, goal: '≥ 0.95',
      note: `SQLite WAL, each answer waits for its commit's fdatasync (off the event loop); ${cpuNote('signIn', 'sign-in')}; ${ROUNDS} alternating rounds; ${machineLoad()}`,
    },
    {
      name: 'client-credentials tokens/s with the audit log on ÷ off',
      value: rate(totals.on.tokens), unit: 'tokens/s', baseline: rate(totals.off.tokens), baselineUnit: 'tokens/s', ratio: totals.on.tokens / totals.off.tokens, goal: '≥ 0.9',
      note: `one audit row per token, 16 connections; ${cpuNote('token', 'token')}; ${machineLoad()}`,
    },
  ];
}
