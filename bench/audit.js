// The price of the durable, hash-chained audit log: the same workload with audit writes on and
// off (off = the store's audit appends replaced by no-ops, in this benchmark only).
import { availableParallelism } from 'node:os';
import { startServer, load, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';

function disableAudit(store) {
  const transaction = store.transaction.bind(store);
  const silent = { append: async (e) => ({ ...e, id: 'evt_off', seq: 0, prevHash: '', hash: '' }), appendMany: async () => [] };
  store.transaction = (work) => transaction((tx) => work({ ...tx, audit: { ...tx.audit, ...silent } }));
}

async function workloads(audit) {
  const server = await startServer();
  if (!audit) disableAudit(server.deps.store);
  const signIns = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS, requests: validLogins() });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: server.admin.client_id, client_secret: server.admin.client_secret }).toString();
  const tokens = await load({ port: server.port, concurrency: 16, seconds: BENCH_SECONDS, requests: [{ path: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': 'bench' }, body: form }] });
  await server.stop();
  onlyStatuses(signIns, [200], 'audit bench sign-ins');
  onlyStatuses(tokens, [200], 'audit bench tokens');
  return { signIns, tokens };
}

export async function run() {
  const off = await workloads(false);
  const on = await workloads(true);
  return [
    {
      name: 'sign-ins/s with the audit log on ÷ off (durable group commits)',
      value: on.signIns.perSecond, unit: 'sign-ins/s', baseline: off.signIns.perSecond, baselineUnit: 'sign-ins/s', ratio: on.signIns.perSecond / off.signIns.perSecond, goal: '≥ 0.95',
      note: 'SQLite synchronous=FULL; each answer waits for its commit',
    },
    {
      name: 'client-credentials tokens/s with the audit log on ÷ off',
      value: on.tokens.perSecond, unit: 'tokens/s', baseline: off.tokens.perSecond, baselineUnit: 'tokens/s', ratio: on.tokens.perSecond / off.tokens.perSecond, goal: '≥ 0.95',
      note: 'one audit row per token',
    },
  ];
}
