// Challenged answers per second (no device data → captcha_required, before any hash) against the
// bare hash rate, with the hash counter checked to stay at zero during the flood.
import { availableParallelism } from 'node:os';
import { startServer, load, bareHashRate, loginRequest, onlyStatuses, TEST_CAPTCHA, BENCH_SECONDS } from './lib.js';

export async function run() {
  const bare = await bareHashRate(availableParallelism());
  const server = await startServer({ policy: { captcha: TEST_CAPTCHA } });
  const requests = Array.from({ length: 64 }, (_, i) => loginRequest({ email: `victim${i}@bench.example`, password: 'stuffed password' }));
  const before = server.deps.hasher.verifications;
  const flood = await load({ port: server.port, concurrency: 32, seconds: BENCH_SECONDS, requests });
  const hashes = server.deps.hasher.verifications - before;
  await server.stop();
  onlyStatuses(flood, [403], 'refusal bench');
  if (hashes !== 0) throw new Error(`refusal bench hashed ${hashes} passwords`);
  return [{
    name: 'challenged answers/s (captcha_required, audited) ÷ bare argon2id hash rate',
    value: flood.perSecond, unit: 'answers/s', baseline: bare, baselineUnit: 'verifies/s', ratio: flood.perSecond / bare, goal: '≥ 200',
    note: `${flood.total} answers, 0 password hashes; p99 ${flood.p99.toFixed(1)} ms`,
  }];
}
