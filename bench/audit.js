// The price of the durable, hash-chained audit log: the same workload with audit writes on and
// off (off = the store's audit appends replaced by no-ops, in this benchmark only). Both servers
// run side by side and are measured in alternating rounds, so both see the same neighbours.
import { availableParallelism } from 'node:os';
import { startServer, load, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';
import { tokenRequest } from './client-credentials.js';
import { machineLoad } from './cpu.js';

const ROUNDS = 3;

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
  const totals = { on: { signIns: 0, tokens: 0 }, off: { signIns: 0, tokens: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, server] of round % 2 === 0 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) {
      const signIns = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds, requests: validLogins() });
      const tokens = await load({ port: server.port, concurrency: 16, seconds, requests: [tokenRequest(server)] });
      onlyStatuses(signIns, [200], 'audit bench sign-ins');
      onlyStatuses(tokens, [200], 'audit bench tokens');
      totals[name].signIns += signIns.total;
      totals[name].tokens += tokens.total;
    }
  }
  await on.stop();
  await off.stop();
  const rate = (n) => n / (seconds * ROUNDS);
  return [
    {
      name: 'sign-ins/s with the audit log on ÷ off (durable group commits)',
      value: rate(totals.on.signIns), unit: 'sign-ins/s', baseline: rate(totals.off.signIns), baselineUnit: 'sign-ins/s', ratio: totals.on.signIns / totals.off.signIns, goal: '≥ 0.95',
      note: `SQLite WAL, each answer waits for its commit's fdatasync (off the event loop); ${ROUNDS} alternating rounds; ${machineLoad()}`,
    },
    {
      name: 'client-credentials tokens/s with the audit log on ÷ off',
      value: rate(totals.on.tokens), unit: 'tokens/s', baseline: rate(totals.off.tokens), baselineUnit: 'tokens/s', ratio: totals.on.tokens / totals.off.tokens, goal: '≥ 0.9',
      note: `one audit row per token; ${machineLoad()}`,
    },
  ];
}
