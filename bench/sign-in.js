// Valid sign-ins per second through HTTP against a bare argon2id verify loop at the same concurrency.
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { startServer, load, loop, json, BENCH_SECONDS } from './lib.js';

const PARAMS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export async function run() {
  const hashes = availableParallelism();
  const stored = await hash('bench password 1', PARAMS);
  const bare = await loop({ concurrency: hashes, seconds: BENCH_SECONDS, work: () => verify(stored, 'bench password 1') });

  const server = await startServer();
  const body = json({ email: 'user@bench.example', password: 'bench password 1', device: { visitor_id: 'vis_bench', signals: {} } });
  const result = await load({
    port: server.port, concurrency: hashes * 2, seconds: BENCH_SECONDS,
    request: () => ({ path: '/api/v1/auth/login', headers: { 'content-type': 'application/json', 'x-tenant': 'bench' }, body }),
  });
  await server.stop();
  if (Object.keys(result.statuses).some((s) => s !== '200')) throw new Error(`sign-in bench saw ${JSON.stringify(result.statuses)}`);
  return [{
    name: 'valid sign-ins/s (HTTP, SQLite) ÷ bare argon2id verify loop',
    value: result.perSecond, unit: 'sign-ins/s', baseline: bare, baselineUnit: 'verifies/s',
    ratio: result.perSecond / bare, goal: '≥ 0.95',
    note: `${hashes} hashes in flight in both; ${result.total} sign-ins, all 200`,
  }];
}
