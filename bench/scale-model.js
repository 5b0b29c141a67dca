// The figures behind docs/scaling.md, measured on PostgreSQL (TEST_DATABASE_URL) and Redis
// (TEST_REDIS_URL): what each sign-in writes (rows and bytes per table), the write rate of this
// PostgreSQL (pgbench, one row or 100 rows per commit), one instance's sign-in rate, and audit
// appends/s for one tenant from 1 and 3 processes against 3 tenants from 3 processes, each chain
// (every shard) verified after. Runs alone: `npm run build && node bench/scale-model.js` (BENCH_SECONDS, default 5;
// SCALE_MODEL_ONLY=audit runs the audit scenarios alone).
import { execFile, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { PG, schemaUrl, withSchema, startServer, load, loginRequest, onlyStatuses, validLogins, HUMAN_DEVICE, BENCH_SECONDS } from './lib.js';

const SIGN_INS = 300;
const MASTER = randomBytes(32).toString('base64');
const dist = (path) => new URL(`../packages/server/dist/${path}`, import.meta.url).href;

/** Rows and total bytes (heap, indexes, TOAST) of every table in the schema, with the database's commits and Redis's commands so far. */
async function snapshot(admin, schema, redis) {
  // Commits in this database (its own, created for the run); the snapshot adds two.
  await admin.query('select pg_stat_clear_snapshot()');
  const { rows: [{ xact }] } = await admin.query(`select pg_stat_get_db_xact_commit(oid)::bigint as xact from pg_database where datname = current_database()`);
  const out = { '(commits)': { rows: Number(xact), bytes: 0 } };
  await admin.query('begin');
  const { rows } = await admin.query(
    `select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relkind = 'r'`, [schema]);
  for (const { name, bytes } of rows) {
    const { rows: [{ n }] } = await admin.query(`select count(*)::int as n from ${schema}."${name}"`);
    out[name] = { rows: n, bytes: Number(bytes) };
  }
  await admin.query('commit');
  // Round trips: the commands clients sent (EVALSHA counts once; the INCRs inside a script are not round trips).
  const stats = await redis.info('commandstats');
  const sent = ['evalsha', 'eval', 'mget', 'del', 'set'].reduce((n, c) => n + Number(new RegExp(`cmdstat_${c}:calls=(\\d+)`).exec(stats)?.[1] ?? 0), 0);
  out['(redis round trips)'] = { rows: sent, bytes: 0 };
  return out;
}

/** Per-table rows and bytes per request between two snapshots (tables that did not change are left out). */
function perRequest(before, after, n) {
  const out = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { rows: 0, bytes: 0 };
    if (a.rows !== b.rows || a.bytes !== b.bytes) out[name] = { rows: (a.rows - b.rows) / n, bytes: Math.round((a.bytes - b.bytes) / n) };
  }
  return out;
}

/** Sends each request once, `concurrency` at a time; returns the status counts. */
async function send(port, requests, concurrency = 4) {
  const statuses = {};
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const r = requests[next++];
      const res = await fetch(`http://127.0.0.1:${port}${r.path}`, { method: 'POST', headers: r.headers, body: r.body });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  }));
  return statuses;
}

/** A database and a redis-server of our own: commit and command counts then are ours alone (other clients share the test ones). */
async function withOwnServices(work) {
  const name = `portcullis_scale_${randomBytes(4).toString('hex')}`;
  const root = new pg.Client({ connectionString: PG });
  await root.connect();
  await root.query(`create database ${name}`);
  const url = new URL(PG);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let tries = 0; ; tries++) {
    const answered = await new Promise((resolve) => execFile('redis-cli', ['-p', String(port), 'ping'], (error, out) => resolve(!error && out.includes('PONG'))));
    if (answered) break;
    if (tries > 100 || redis.exitCode !== null) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await work({ url: url.toString(), admin, schema: 'public', redisUrl: `redis://127.0.0.1:${port}` });
  } finally {
    redis.kill('SIGKILL');
    await admin.end();
    await root.query(`drop database ${name} with (force)`);
    await root.end();
  }
}

/** Rows and bytes written per valid sign-in and per refused one (unknown account), and one instance's sign-in rate. */
async function writesPerSignIn() {
  return withOwnServices(async ({ url, admin, schema, redisUrl }) => {
    const server = await startServer({ env: { DATABASE_URL: url, REDIS_URL: redisUrl }, overrides: { webhooks: false } });
    const tenant = await server.deps.store.tenants.bySlug('bench');
    const now = new Date().toISOString();
    await server.deps.store.webhooks.insert({
      id: `whk_bench${randomBytes(4).toString('hex')}`, tenantId: tenant.id, url: 'https://hooks.example.com/portcullis', events: ['user.signed_in', 'user.signed_in.failed'],
      description: null, status: 'enabled', disabledReason: null, secretSealed: server.deps.box.seal('whsec_bench'), previousSecretSealed: null,
      previousSecretExpiresAt: null, secretRotatedAt: null, createdAt: now, updatedAt: now,
    });
    const redis = new Redis(redisUrl);
    await admin.query(`vacuum analyze`); // settle free-space maps so size deltas are the new rows' pages
    const valid = validLogins();
    const s0 = await snapshot(admin, schema, redis);
    onlyStatuses({ statuses: await send(server.port, Array.from({ length: SIGN_INS }, (_, i) => valid[i % valid.length])) }, [200], 'scale-model sign-ins');
    const s1 = await snapshot(admin, schema, redis);
    // The rate before the refusals: a few hundred failures from one address turn its sign-ins into challenges.
    const rate = await load({ port: server.port, concurrency: 4, seconds: BENCH_SECONDS, requests: valid });
    onlyStatuses(rate, [200], 'scale-model sign-in rate');
    const s1b = await snapshot(admin, schema, redis);
    const refused = Array.from({ length: SIGN_INS }, (_, i) => loginRequest({ email: `nobody${i}@bench.example`, password: 'wrong', device: HUMAN_DEVICE }));
    const refusedStatuses = await send(server.port, refused);
    const s2 = await snapshot(admin, schema, redis);
    const refusals = await load({ port: server.port, concurrency: 32, seconds: BENCH_SECONDS, requests: refused });
    const s3 = await snapshot(admin, schema, redis);
    const hitRate = await redisHitRate(redisUrl);
    redis.disconnect();
    const widths = await admin.query(`select avg(pg_column_size(a.*))::int as audit, (select avg(pg_column_size(s.*))::int from ${schema}.sessions s) as session from ${schema}.audit_events a`).catch(() => ({ rows: [{}] }));
    await server.stop();
    return { signIn: perRequest(s0, s1, SIGN_INS), refused: perRequest(s1b, s2, SIGN_INS), refusedStatuses, rowWidths: widths.rows[0], signInsPerSecond: rate.perSecond, p99: rate.p99, refusalsPerSecond: refusals.perSecond, refusalStatuses: refusals.statuses,
      // The same per-request figures under load (4 sign-ins, 32 refusals in flight): group commits batch more.
      signInUnderLoad: perRequest(s1, s1b, rate.total), refusedUnderLoad: perRequest(s2, s3, refusals.total), redisHitScriptsPerSecond: hitRate };
  });
}

/** One redis-server's rate of the counters' hit script on a decision's 5 keys (redis-benchmark, 50 clients). */
function redisHitRate(redisUrl) {
  const lua = `local c = {} for i, k in ipairs(KEYS) do c[i] = redis.call('INCR', k) if redis.call('PTTL', k) < 0 then redis.call('PEXPIRE', k, ARGV[i]) end end return c`;
  const port = new URL(redisUrl).port;
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', ['-p', port, '-n', '100000', '-c', '50', '-r', '100000', '--csv', 'EVAL', lua, '5',
      'f:t:ipf:__rand_int__', 'f:t:af:__rand_int__', 'f:t:lai:__rand_int__', 'f:t:la:__rand_int__', 'f:t:li:__rand_int__', '60000', '60000', '60000', '60000', '60000'], (error, stdout, stderr) => {
      if (error) return reject(new Error(`redis-benchmark: ${stderr || error.message}`));
      resolve(Number(/"[^"]*","([\d.]+)"/.exec(stdout.trim().split('\n').pop())[1]));
    });
  });
}

function pgbench(args) {
  return new Promise((resolve, reject) => {
    const url = new URL(PG);
    execFile('pgbench', ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'), '-n', ...args, url.pathname.slice(1)],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`pgbench: ${stderr || error.message}`));
        resolve(Number(/tps = ([\d.]+)/.exec(stdout)[1]));
      });
  });
}

/** Commits/s and rows/s of audit-shaped inserts: one row per commit, then 100 per commit (a group commit). */
async function pgWriteRate() {
  return withSchema(async (schema, admin) => {
    await admin.query(`create table ${schema}.w (tenant_id text, seq bigint, id text primary key, type text, occurred_at text, data text, context text, prev_hash text, hash text)`);
    await admin.query(`create index on ${schema}.w (tenant_id, seq)`);
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-pgbench-'));
    const row = (id) => `('tnt_bench', ${id}, md5(random()::text) || ${id}, 'user.signed_in', now()::text, '{"method":"password","mfa":false}', '{"ip":"203.0.113.7","user_agent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/120","request_id":"req_0123456789abcdef","visitor_id":"vis_0123456789"}', md5(random()::text), md5(random()::text))`;
    writeFileSync(join(dir, 'one.sql'), `insert into ${schema}.w values ${row('(random()*1e12)::bigint')};\n`);
    writeFileSync(join(dir, 'hundred.sql'), `insert into ${schema}.w select t.* from generate_series(1, 100) g, lateral (values ${row('g')}) t;\n`);
    const seconds = String(BENCH_SECONDS);
    try {
      const one = { c1: await pgbench(['-c', '1', '-T', seconds, '-f', join(dir, 'one.sql')]), c8: await pgbench(['-c', '8', '-j', '2', '-T', seconds, '-f', join(dir, 'one.sql')]) };
      const hundred = await pgbench(['-c', '4', '-j', '2', '-T', seconds, '-f', join(dir, 'hundred.sql')]);
      return { commitsPerSecond1: one.c1, commitsPerSecond8: one.c8, rowsPerSecondBatched: hundred * 100 };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// ------------------------------------------------------------ audit appends from several processes

/** In a child: appends to `tenants` (round robin) through the group commit for `seconds`; reports events and commits. */
async function auditWriter({ url, tenants, seconds, inFlight }) {
  const { connectDatabase } = await import(dist('adapters/sql/connect.js'));
  const { createSqlStore } = await import(dist('adapters/sql/sql-store.js'));
  const { createAuditChainMac } = await import(dist('adapters/crypto/audit-chain-mac.js'));
  const { createGroupCommit } = await import(dist('services/group-commit.js'));
  const db = connectDatabase({ kind: 'postgres', url });
  const store = createSqlStore(db, 'postgres', createAuditChainMac(Buffer.from(MASTER_FROM_ENV(), 'base64')));
  let commits = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = (work) => transaction(work).then((r) => { commits += 1; return r; });
  const commit = createGroupCommit(store);
  let events = 0;
  let i = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < deadline) {
      const tenantId = tenants[(i += 1) % tenants.length];
      await commit.audit([{ tenantId, type: 'user.signed_in', occurredAt: new Date().toISOString(), actor: { kind: 'user', id: 'usr_bench' }, target: { kind: 'user', id: 'usr_bench' },
        outcome: 'success', data: { method: 'password' }, context: { ip: '203.0.113.7', user_agent: 'bench', request_id: `req_${i}`, visitor_id: null } }]);
      events += 1;
    }
  }));
  await db.destroy();
  return { events, commits };
}

const MASTER_FROM_ENV = () => process.env.SCALE_MODEL_MASTER ?? MASTER;

function child(job) {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['audit-writer'], { env: { ...process.env, SCALE_MODEL_MASTER: MASTER }, stdio: 'inherit' });
    proc.once('message', (result) => { proc.kill(); resolve(result); });
    proc.once('error', reject);
    proc.send(job);
  });
}

/** Appends/s with `processes` writers on `tenantsOf(i)`; every chain verified after. */
async function auditScenario(processes, tenantsOf, inFlight = 64) {
  return withSchema(async (schema) => {
    const url = `${schemaUrl(schema)}&application_name=${schema}`;
    const { connectDatabase, migrateToLatest } = await import(dist('adapters/sql/connect.js'));
    const { createSqlStore } = await import(dist('adapters/sql/sql-store.js'));
    const { createAuditChainMac } = await import(dist('adapters/crypto/audit-chain-mac.js'));
    const { verifyAuditChain } = await import(dist('services/audit-verify.js'));
    const db = connectDatabase({ kind: 'postgres', url });
    await migrateToLatest(db, 'postgres');
    // Sampled every 20 ms: how many of this database's backends run a query, and how many of those wait on a lock (the chain head).
    const sampler = new pg.Client({ connectionString: PG });
    await sampler.connect();
    const samples = { n: 0, active: 0, lockWait: 0 };
    let sampling = true;
    const sampled = (async () => {
      while (sampling) {
        const { rows: [r] } = await sampler.query(`select count(*) filter (where state = 'active')::int as active, count(*) filter (where wait_event_type = 'Lock')::int as lock
          from pg_stat_activity where application_name = $1`, [schema]);
        samples.n += 1; samples.active += r.active; samples.lockWait += r.lock;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const results = await Promise.all(Array.from({ length: processes }, (_, i) => child({ url, tenants: tenantsOf(i), seconds: BENCH_SECONDS, inFlight })));
    sampling = false;
    await sampled;
    await sampler.end();
        const auditChain = createAuditChainMac(Buffer.from(MASTER, 'base64'));
    const store = createSqlStore(db, 'postgres', auditChain);
    const tenants = [...new Set(Array.from({ length: processes }, (_, i) => tenantsOf(i)).flat())];
    const reports = await Promise.all(tenants.map((t) => verifyAuditChain({ store, auditChain }, t)));
    // Chain shards that hold events, per tenant (PORTCULLIS_AUDIT_CHAIN_SHARDS, default 4, on PostgreSQL).
    const shardsUsed = await Promise.all(tenants.map(async (t) => (await store.audit.heads(t)).filter((h) => h.seq > 0).length));
    await db.destroy();
    const events = results.reduce((n, r) => n + r.events, 0);
    const commits = results.reduce((n, r) => n + r.commits, 0);
    return { processes, tenants: tenants.length, inFlight, appendsPerSecond: events / BENCH_SECONDS, eventsPerCommit: events / commits, verified: reports.every((r) => r.ok),
      busyBackends: samples.active / samples.n, lockWaitingBackends: samples.lockWait / samples.n, chainEvents: reports.reduce((n, r) => n + r.events, 0), events, shardsUsed };
  });
}

export async function run() {
  if (process.env.SCALE_MODEL_ONLY === 'audit') {
    return { audit: { oneProc: await auditScenario(1, () => ['tnt_one']), threeOne: await auditScenario(3, () => ['tnt_one']), threeThree: await auditScenario(3, (i) => [`tnt_${i}`]) } };
  }
  const writes = await writesPerSignIn();
  const pgRate = await pgWriteRate();
  const oneProc = await auditScenario(1, () => ['tnt_one']);
  const threeOne = await auditScenario(3, () => ['tnt_one']);
  const threeThree = await auditScenario(3, (i) => [`tnt_${i}`]);
  const threeOneDeep = await auditScenario(3, () => ['tnt_one'], 256);
  return { writes, pgRate, audit: { oneProc, threeOne, threeThree, threeOneDeep } };
}

if (process.argv[2] === 'audit-writer') {
  process.once('message', async (job) => { process.send(await auditWriter(job)); });
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run();
  console.log(JSON.stringify(result, null, 2));
}
