// What the tenant hash tag costs in key distribution on a Redis Cluster: a three-master cluster on
// loopback (started and torn down here), a realistic key mix written through the counters adapter
// (tenants of Zipf-distributed size; every attempt reserves its 3 account counters, a failure adds
// its 2 address counters, a success its 2 recognition marks), then keys and operations per master,
// against where the same keys would sit hashed one by one (no tag, which would cost one decision
// several round trips). Runs alone: `npm run build && node bench/cluster-keys.js`.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { DEFAULT_RISK_POLICY } from '../packages/protocol/dist/index.js';
import { createRedisCounters } from '../packages/server/dist/adapters/redis/redis-counters.js';
import { tagged } from '../packages/server/dist/adapters/redis/redis-cluster.js';
import { counterHits, recognitionKeys, subjectsFor } from '../packages/server/dist/services/risk/subjects.js';

const TENANTS = Number(process.env.TENANTS ?? 200);
const ATTEMPTS = Number(process.env.ATTEMPTS ?? 20_000);
const FAILURE_SHARE = 0.1;
const run = promisify(execFile);

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

async function startCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cluster-keys-'));
  const nodes = [];
  for (let i = 0; i < 3; i++) {
    const [port, bus] = [await freePort(), await freePort()];
    const child = spawn('redis-server', ['--cluster-enabled', 'yes', '--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    nodes.push({ port, child });
  }
  const stop = () => { for (const n of nodes) n.child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); };
  process.once('exit', stop);
  for (const { port } of nodes) {
    for (let t = 0; ; t++) { try { await run('redis-cli', ['-p', String(port), 'ping']); break; } catch { if (t > 100) throw new Error('redis-server did not start'); await new Promise((r) => setTimeout(r, 50)); } }
  }
  await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (let t = 0; t < 100; t++) {
    const infos = await Promise.all(nodes.map((n) => run('redis-cli', ['-p', String(n.port), 'cluster', 'info'])));
    if (infos.every((i) => i.stdout.includes('cluster_state:ok'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ports: nodes.map((n) => n.port), stop };
}

/** Zipf(1) weights: the k-th tenant gets traffic in proportion to 1/k. */
function pickTenant() {
  const h = Array.from({ length: TENANTS }, (_, k) => 1 / (k + 1));
  const total = h.reduce((a, b) => a + b, 0);
  const cumulative = [];
  h.reduce((acc, w, k) => (cumulative[k] = acc + w / total), 0);
  return () => { const r = Math.random(); let k = cumulative.findIndex((c) => c >= r); if (k < 0) k = TENANTS - 1; return k; };
}

export async function measure() {
  const cluster = await startCluster();
  try {
    const counters = createRedisCounters({ clusterNodes: cluster.ports.map((p) => `127.0.0.1:${p}`), keyPrefix: 'portcullis:counters:', commandTimeoutMs: 5000 });
    const masters = cluster.ports.map((port) => new Redis({ port, host: '127.0.0.1' }));
    const slots = await masters[0].cluster('SLOTS');
    const owner = (slot) => cluster.ports.indexOf(Number(slots.find(([from, to]) => slot >= from && slot <= to)[2][1]));
    const tenant = pickTenant();
    const opsTagged = [0, 0, 0];
    const keysUntagged = [new Set(), new Set(), new Set()];
    const opsByTenant = new Array(TENANTS).fill(0);
    for (let i = 0; i < ATTEMPTS; i += 64) {
      await Promise.all(Array.from({ length: Math.min(64, ATTEMPTS - i) }, async () => {
        const t = tenant();
        const tenantId = `tnt_${String(t).padStart(6, '0')}`;
        const s = subjectsFor(tenantId, `user${Math.floor(Math.random() * 5000 / (t + 1))}@example.com`, `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`, `vis_${Math.random()}`);
        const hits = counterHits(tenantId, s, DEFAULT_RISK_POLICY);
        const marks = recognitionKeys(tenantId, s);
        const batch = [hits.accountFailures, hits.lockoutAccountIp, hits.lockoutAccount,
          ...(Math.random() < FAILURE_SHARE ? [hits.ipFailures, hits.lockoutIp] : [{ key: marks.device, windowMs: 86_400_000 }, { key: marks.address, windowMs: 86_400_000 }])];
        await counters.hit(batch);
        opsTagged[owner(calculateSlot(`portcullis:counters:${tagged(batch[0].key)}`))] += 1;
        opsByTenant[t] += 1;
        for (const { key } of batch) keysUntagged[owner(calculateSlot(`portcullis:counters:${key}`))].add(key);
      }));
    }
    const keysTagged = await Promise.all(masters.map((m) => m.dbsize()));
    for (const m of masters) m.disconnect();
    await counters.close();
    const spread = (xs) => ({ perMaster: xs, maxOverMean: Math.max(...xs) / (xs.reduce((a, b) => a + b, 0) / xs.length) });
    return {
      tenants: TENANTS, attempts: ATTEMPTS,
      keysTagged: spread(keysTagged),
      keysUntagged: spread(keysUntagged.map((s) => s.size)),
      decisionsTagged: spread(opsTagged),
      largestTenantShare: Math.max(...opsByTenant) / ATTEMPTS,
    };
  } finally {
    cluster.stop();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(JSON.stringify(await measure(), null, 2));
