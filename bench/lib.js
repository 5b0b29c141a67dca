// Shared pieces of the benchmarks: an in-process server on loopback and a keep-alive load loop.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, compose, buildApp, createTenant, createUser } from '../packages/server/dist/index.js';

/** Starts Portcullis on 127.0.0.1 with a fresh SQLite file (durable commits, as in production). */
export async function startServer({ env = {}, overrides = {}, extend } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const config = loadConfig({ PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', PORTCULLIS_HASH_QUEUE: '1000', ...env });
  const { deps, close } = await compose(config, overrides);
  const app = await buildApp(deps, { extend });
  const created = await createTenant(deps, { slug: 'bench' });
  const tenant = await deps.store.tenants.bySlug('bench');
  await createUser(deps, { tenant }, { kind: 'operator', id: null }, { email: 'user@bench.example', password: 'bench password 1' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address();
  return {
    deps, app, port, admin: created.application,
    async stop() {
      await app.close();
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends requests from `concurrency` loops for `seconds`, over keep-alive connections. Returns
 * completed requests per second and the status counts (a benchmark that silently errors is worthless).
 */
export async function load({ port, concurrency, seconds, request }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = {};
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  async function loop(worker) {
    let i = 0;
    while (performance.now() < deadline) {
      const { method = 'POST', path, headers = {}, body } = request(worker, i++);
      const status = await send(agent, port, method, path, headers, body);
      statuses[status] = (statuses[status] ?? 0) + 1;
      done += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { perSecond: done / elapsed, statuses, total: done };
}

function send(agent, port, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Runs `work` from `concurrency` loops for `seconds`; returns operations per second. */
export async function loop({ concurrency, seconds, work }) {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await work();
      done += 1;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

export const json = (value) => JSON.stringify(value);
export const BENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
