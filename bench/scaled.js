// Scaled-out figures (PostgreSQL + Redis) against the embedded default, Redis round trips per
// refusal, and the brute-force limit held across two processes. Needs the services of
// TEST_DATABASE_URL / TEST_REDIS_URL (defaults: the machine's local servers).
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { schemaUrl, withSchema, startServer, NO_REFUSAL_BUDGET, load, loginRequest, onlyStatuses, validLogins, TEST_CAPTCHA, BENCH_SECONDS } from './lib.js';
import { machineLoad } from './cpu.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const flood = () => Array.from({ length: 64 }, (_, i) => loginRequest({ email: `victim${i}@bench.example`, password: 'stuffed' }));
const ROUNDS = 4;

/**
 * Commands this process sends to Redis (the server runs in it). The Redis server's own
 * total_commands_processed counts every client of a shared Redis, other programs' included.
 */
let sent = 0;
const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function countedSendCommand(...args) {
  sent += 1;
  return sendCommand.apply(this, args);
};

/** One round on a running server: sign-ins, then refusals (with the Redis commands they cost). */
async function round(server, seconds, totals) {
  const signIns = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds, requests: validLogins() });
  onlyStatuses(signIns, [200], 'scaled sign-ins');
  const before = sent;
  const refusals = await load({ port: server.port, concurrency: 32, seconds, requests: flood() });
  const after = sent;
  onlyStatuses(refusals, [403], 'scaled refusals');
  totals.signIns += signIns.total; totals.refusals += refusals.total;
  totals.p99 = Math.max(totals.p99, signIns.p99);
  totals.redis += after - before;
}

export async function run() {
  const seconds = Math.max(1, BENCH_SECONDS / ROUNDS);
  const embedded = { signIns: 0, refusals: 0, p99: 0, redis: 0 };
  const scaled = { signIns: 0, refusals: 0, p99: 0, redis: 0 };
  await withSchema(async (schema) => {
    const url = schemaUrl(schema);
    // Both servers run side by side and alternate, so both see the same neighbours on a shared machine.
    const local = await startServer({ env: NO_REFUSAL_BUDGET, policy: { captcha: TEST_CAPTCHA } });
    const remote = await startServer({ env: { ...NO_REFUSAL_BUDGET, DATABASE_URL: url, REDIS_URL: REDIS }, policy: { captcha: TEST_CAPTCHA } });
    try {
      for (let i = 0; i < ROUNDS; i++) {
        await round(local, seconds, embedded);
        await round(remote, seconds, scaled);
      }
    } finally {
      await remote.stop();
      await local.stop();
    }
  });
  const rate = (n) => n / (seconds * ROUNDS);
  return [
    {
      name: 'sign-ins/s on PostgreSQL + Redis ÷ embedded SQLite',
      value: rate(scaled.signIns), unit: 'sign-ins/s', baseline: rate(embedded.signIns), baselineUnit: 'sign-ins/s',
      ratio: scaled.signIns / embedded.signIns, goal: '≥ 0.9', note: `p99 ${scaled.p99.toFixed(0)} ms vs ${embedded.p99.toFixed(0)} ms; ${ROUNDS} alternating rounds; ${machineLoad()}`,
    },
    {
      name: 'refusals/s on PostgreSQL + Redis ÷ embedded SQLite',
      value: rate(scaled.refusals), unit: 'answers/s', baseline: rate(embedded.refusals), baselineUnit: 'answers/s',
      ratio: scaled.refusals / embedded.refusals, goal: '≥ 0.6',
      note: `${(scaled.redis / scaled.refusals).toFixed(2)} Redis commands per refusal (goal ≤ 1); ${machineLoad()}`,
    },
  ];
}
