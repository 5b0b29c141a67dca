// Scaled-out figures (PostgreSQL + Redis) against the embedded default, Redis round trips per
// refusal, and the brute-force limit held across two processes. Needs the services of
// TEST_DATABASE_URL / TEST_REDIS_URL (defaults: the machine's local servers).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { startServer, load, loginRequest, onlyStatuses, validLogins, TEST_CAPTCHA, BENCH_SECONDS } from './lib.js';

const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function withSchema(work) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    return await work(`${PG}${PG.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`);
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

const flood = () => Array.from({ length: 64 }, (_, i) => loginRequest({ email: `victim${i}@bench.example`, password: 'stuffed' }));

async function measure(env) {
  const server = await startServer({ env, policy: { captcha: TEST_CAPTCHA } });
  const signIns = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS, requests: validLogins() });
  onlyStatuses(signIns, [200], 'scaled sign-ins');
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL) : undefined;
  const before = redis ? Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))[1]) : 0;
  const refusals = await load({ port: server.port, concurrency: 32, seconds: BENCH_SECONDS, requests: flood() });
  const after = redis ? Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))[1]) : 0;
  redis?.disconnect();
  onlyStatuses(refusals, [403], 'scaled refusals');
  await server.stop();
  // INFO itself is one command.
  return { signIns, refusals, redisPerRefusal: redis ? (after - before - 1) / refusals.total : null };
}

export async function run() {
  const embedded = await measure({});
  const scaled = await withSchema((url) => measure({ DATABASE_URL: url, REDIS_URL: REDIS }));
  return [
    {
      name: 'sign-ins/s on PostgreSQL + Redis ÷ embedded SQLite',
      value: scaled.signIns.perSecond, unit: 'sign-ins/s', baseline: embedded.signIns.perSecond, baselineUnit: 'sign-ins/s',
      ratio: scaled.signIns.perSecond / embedded.signIns.perSecond, goal: '≥ 0.9', note: `p99 ${scaled.signIns.p99.toFixed(0)} ms vs ${embedded.signIns.p99.toFixed(0)} ms`,
    },
    {
      name: 'refusals/s on PostgreSQL + Redis ÷ embedded SQLite',
      value: scaled.refusals.perSecond, unit: 'answers/s', baseline: embedded.refusals.perSecond, baselineUnit: 'answers/s',
      ratio: scaled.refusals.perSecond / embedded.refusals.perSecond, goal: '≥ 0.5',
      note: `${scaled.redisPerRefusal.toFixed(2)} Redis commands per refusal (goal ≤ 1)`,
    },
  ];
}
