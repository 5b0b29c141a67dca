// Webhooks (DESIGN §17): how fast the dispatcher drains a backlog to a receiver on loopback, on SQLite
// with durable commits (goal ≥ 1,000 deliveries/s), and what subscribers cost sign-ins: valid
// sign-ins/s with 3 endpoints subscribed to every event ÷ with none (goal ≥ 0.97).
import { createServer, Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { createWebhookDispatcher } from '../packages/server/dist/services/webhooks/dispatcher.js';
import { createWebhookSender } from '../packages/server/dist/adapters/net/webhook-sender.js';
import { createWebhook, updateWebhook } from '../packages/server/dist/services/webhooks/endpoints.js';
import { recordEvent } from '../packages/server/dist/services/audit.js';
import { startServer, load, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';

const BACKLOG = Number(process.env.WEBHOOK_BACKLOG ?? 5000);
const OPERATOR = { kind: 'operator', id: null };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiver that answers 204 at once and counts what it got, by `webhook-id` too. */
async function startReceiver() {
  const ids = new Set();
  const state = { count: 0, ids };
  const server = createServer((req, res) => {
    ids.add(req.headers['webhook-id']);
    req.resume();
    req.on('end', () => { state.count += 1; res.statusCode = 204; res.end(); });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, url: `http://127.0.0.1:${server.address().port}/hooks`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

const contextOf = async (server) => ({ tenant: await server.deps.store.tenants.bySlug('bench'), ip: '127.0.0.1', userAgent: 'bench', requestId: 'req_bench' });

/** POSTs of the same size from the same number of loops, keep-alive: what the receiver and loopback allow. */
async function barePosts(url, concurrency, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({ id: 'evt_x', type: 'user.signed_in', data: {}, padding: 'x'.repeat(400) });
  const post = () => new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) { await post(); done += 1; } }));
  agent.destroy();
  return done / ((performance.now() - started) / 1000);
}

async function dispatchRate() {
  const server = await startServer({ overrides: { webhooks: false } });
  const receiver = await startReceiver();
  try {
    const ctx = await contextOf(server);
    await createWebhook(server.deps, ctx, OPERATOR, { url: receiver.url, events: ['user.*'] });
    // The backlog, written as the app writes it: audit rows and their deliveries in one transaction.
    for (let i = 0; i < BACKLOG; i += 500) {
      await server.deps.store.transaction(async (tx) => {
        for (let j = i; j < Math.min(BACKLOG, i + 500); j++) {
          await recordEvent(tx, server.deps.clock, { tenantId: ctx.tenant.id }, {
            type: 'user.signed_in', outcome: 'success', actor: { kind: 'user', id: `usr_${j}` }, target: { kind: 'user', id: `usr_${j}` }, data: { amr: ['pwd'] },
          });
        }
      });
    }
    const { deps } = server;
    const dispatcher = createWebhookDispatcher({ store: deps.store, clock: deps.clock, box: deps.box, send: createWebhookSender({ allowLoopback: true }) });
    const started = performance.now();
    dispatcher.start();
    while (receiver.state.count < BACKLOG && performance.now() - started < 120_000) await sleep(5);
    await dispatcher.stop();
    const seconds = (performance.now() - started) / 1000;
    if (receiver.state.count !== BACKLOG || receiver.state.ids.size !== BACKLOG) {
      throw new Error(`receiver got ${receiver.state.count} deliveries of ${receiver.state.ids.size} events, expected ${BACKLOG}`);
    }
    const bare = await barePosts(receiver.url, 100, Math.min(BENCH_SECONDS, 3));
    return { perSecond: BACKLOG / seconds, bare };
  } finally {
    await receiver.close();
    await server.stop();
  }
}

/** Waits until the receiver has had nothing new for 300 ms: the previous phase's deliveries are out. */
async function drained(receiver) {
  for (let last = -1; last !== receiver.state.count;) {
    last = receiver.state.count;
    await sleep(300);
  }
}

async function signInCost() {
  // The dispatcher compose starts, as `portcullis start` runs it, polling every 100 ms.
  const server = await startServer({ overrides: { webhooks: { intervalMs: 100 } } });
  const receiver = await startReceiver();
  try {
    const ctx = await contextOf(server);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createWebhook(server.deps, ctx, OPERATOR, { url: receiver.url, events: ['*'] })).id);
    const setAll = async (status) => { for (const id of ids) await updateWebhook(server.deps, ctx, OPERATOR, id, { status }); };
    const phase = async () => {
      const r = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS / 2, requests: validLogins() });
      onlyStatuses(r, [200], 'webhooks sign-in bench');
      return r;
    };
    // Interleaved, each phase after the previous one's deliveries went out: none, three, none, three.
    const none = [];
    const three = [];
    for (let round = 0; round < 2; round++) {
      await setAll('disabled');
      await drained(receiver);
      none.push(await phase());
      await setAll('enabled');
      three.push(await phase());
    }
    await drained(receiver);
    const rate = (rs) => rs.reduce((a, r) => a + r.total, 0) / rs.reduce((a, r) => a + r.total / r.perSecond, 0);
    return { none: rate(none), three: rate(three), delivered: receiver.state.count, signIns: three.reduce((a, r) => a + r.total, 0) };
  } finally {
    await receiver.close();
    await server.stop();
  }
}

export async function run() {
  const dispatch = await dispatchRate();
  const cost = await signInCost();
  return [
    {
      name: 'webhook dispatch to a loopback receiver (SQLite, durable commits)',
      value: dispatch.perSecond, unit: 'deliveries/s', baseline: dispatch.bare, baselineUnit: 'bare keep-alive POSTs/s', ratio: dispatch.perSecond / dispatch.bare,
      goal: '≥ 1,000 deliveries/s', note: `a backlog of ${BACKLOG} events drained, each signed, sent once, settled; baseline from 100 loops, no store`,
    },
    {
      name: 'sign-ins/s with 3 endpoints subscribed to every event ÷ none',
      value: cost.three, unit: 'sign-ins/s', baseline: cost.none, baselineUnit: 'sign-ins/s', ratio: cost.three / cost.none, goal: '≥ 0.97',
      note: `interleaved halves; dispatcher running; ${cost.delivered} deliveries received for ${cost.signIns} sign-ins with subscribers`,
    },
  ];
}
