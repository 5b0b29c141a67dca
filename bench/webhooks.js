// Webhooks (DESIGN §17): how fast the dispatcher drains a backlog to a receiver on loopback, on SQLite
// with durable commits (goal ≥ 1,000 deliveries/s), and what subscribers cost sign-ins: valid
// sign-ins per CPU-second with 3 endpoints subscribed to every event ÷ with none (goal ≥ 0.97).
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { createWebhookDispatcher } from '../packages/server/dist/services/webhooks/dispatcher.js';
import { createWebhookSender } from '../packages/server/dist/adapters/net/webhook-sender.js';
import { createWebhook, updateWebhook } from '../packages/server/dist/services/webhooks/endpoints.js';
import { recordEvent } from '../packages/server/dist/services/audit.js';
import { startServer, load, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';

const BACKLOG = Number(process.env.WEBHOOK_BACKLOG ?? 5000);
const OPERATOR = { kind: 'operator', id: null };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The receiver (bench/webhook-receiver.js) in its own process; `counts()` asks it what it got. */
async function startReceiver() {
  const child = fork(new URL('./webhook-receiver.js', import.meta.url), { stdio: 'inherit' });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    counts: () => new Promise((resolve) => { child.once('message', resolve); child.send('count'); }),
    close: async () => { child.kill(); },
  };
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
    let got = { count: 0, ids: 0 };
    while (got.count < BACKLOG && performance.now() - started < 120_000) got = await receiver.counts();
    await dispatcher.stop();
    const seconds = (performance.now() - started) / 1000;
    if (got.count !== BACKLOG || got.ids !== BACKLOG) throw new Error(`receiver got ${got.count} deliveries of ${got.ids} events, expected ${BACKLOG}`);
    const bare = await barePosts(receiver.url, 100, Math.min(BENCH_SECONDS, 3));
    return { perSecond: BACKLOG / seconds, bare };
  } finally {
    await receiver.close();
    await server.stop();
  }
}

/** Waits until the receiver has had nothing new for 2.5 s (the dispatcher claims once a second when idle). */
async function drained(receiver) {
  for (let last = -1, now = (await receiver.counts()).count; last !== now; now = (await receiver.counts()).count) {
    last = now;
    await sleep(2500);
  }
}

async function signInCost() {
  // The dispatcher compose starts, with the options `portcullis start` gives it (it polls every second when idle).
  const server = await startServer();
  const receiver = await startReceiver();
  try {
    const ctx = await contextOf(server);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createWebhook(server.deps, ctx, OPERATOR, { url: receiver.url, events: ['*'] })).id);
    const setAll = async (status) => { for (const id of ids) await updateWebhook(server.deps, ctx, OPERATOR, id, { status }); };
    // Also counted per second of this process's CPU (hash threads, event loop, dispatcher): on a
    // shared machine the wall-clock rate moves with the neighbours' load, the CPU cost does not.
    const phase = async () => {
      const cpu = process.cpuUsage();
      const r = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS / 2, requests: validLogins() });
      const used = process.cpuUsage(cpu);
      onlyStatuses(r, [200], 'webhooks sign-in bench');
      return { ...r, cpuSeconds: (used.user + used.system) / 1e6 };
    };
    // Interleaved pairs (none, three), each phase after the previous one's deliveries went out; the
    // figure is the median of the pairs' ratios, so one phase disturbed by a neighbour moves nothing.
    const pairs = 4;
    const none = [];
    const three = [];
    for (let i = 0; i < pairs; i++) {
      // Drained before disabling: a pending delivery of a disabled endpoint is given up, not sent.
      await drained(receiver);
      await setAll('disabled');
      none.push(await phase());
      await setAll('enabled');
      three.push(await phase());
    }
    await drained(receiver);
    const delivered = (await receiver.counts()).count;
    const signIns = three.reduce((a, r) => a + r.total, 0);
    if (delivered < 3 * signIns) throw new Error(`${delivered} deliveries for ${signIns} sign-ins with 3 subscribers: some were not sent`);
    const sum = (rs, f) => rs.reduce((a, r) => a + f(r), 0);
    const rate = (rs) => sum(rs, (r) => r.total) / sum(rs, (r) => r.total / r.perSecond);
    const perCpu = (rs) => sum(rs, (r) => r.total) / sum(rs, (r) => r.cpuSeconds);
    const ratios = three.map((r, i) => perCpu([r]) / perCpu([none[i]])).sort((a, b) => a - b);
    return {
      none: perCpu(none), three: perCpu(three), median: (ratios[pairs / 2 - 1] + ratios[pairs / 2]) / 2, ratios,
      wallNone: rate(none), wallThree: rate(three), delivered, signIns,
    };
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
      name: 'sign-ins with 3 endpoints subscribed to every event ÷ none (per CPU-second of the server)',
      value: cost.three, unit: 'sign-ins/CPU-s', baseline: cost.none, baselineUnit: 'sign-ins/CPU-s', ratio: cost.median, goal: '≥ 0.97',
      note: `median of 4 interleaved pairs of ${BENCH_SECONDS / 2} s phases (${cost.ratios[0].toFixed(2)}–${cost.ratios[3].toFixed(2)}); dispatcher running, receiver in its own process; ${cost.delivered} deliveries for ${cost.signIns} sign-ins with subscribers; wall clock ${cost.wallThree.toFixed(1)} vs ${cost.wallNone.toFixed(1)} sign-ins/s`,
    },
  ];
}
