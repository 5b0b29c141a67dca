// Legitimate sign-ins while a credential-stuffing flood is being refused, against the same
// sign-ins alone; and the latency of an unknown email against a wrong password.
import { availableParallelism } from 'node:os';
import { startServer, load, loginRequest, onlyStatuses, validLogins, HUMAN_DEVICE, TEST_CAPTCHA, BENCH_SECONDS } from './lib.js';

const withIp = (ip, request) => ({ ...request, headers: { ...request.headers, 'x-forwarded-for': ip } });

export async function run() {
  const server = await startServer({ env: { PORTCULLIS_TRUSTED_PROXIES: '127.0.0.1/32' }, policy: { captcha: TEST_CAPTCHA } });
  const legit = validLogins().map((r, i) => withIp(`192.0.2.${i + 1}`, r));
  const alone = await load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS, requests: legit });
  const stuffing = Array.from({ length: 4096 }, (_, i) => withIp(`198.51.${(i >> 8) & 255}.${i & 255}`, loginRequest({ email: `victim${i % 700}@bench.example`, password: `guess${i}` })));
  const [during, flood] = await Promise.all([
    load({ port: server.port, concurrency: availableParallelism() * 2, seconds: BENCH_SECONDS, requests: legit }),
    load({ port: server.port, concurrency: 32, seconds: BENCH_SECONDS, requests: stuffing }),
  ]);
  onlyStatuses(alone, [200], 'flood bench (alone)');
  onlyStatuses(during, [200], 'flood bench (during)');

  // Sequential, one request at a time, alternating, so both see the same machine state.
  const wrong = [];
  const unknown = [];
  for (let i = 0; i < 120; i++) {
    const ip = `203.0.113.${(i % 250) + 1}`;
    wrong.push((await load({ port: server.port, concurrency: 1, seconds: 0.001, requests: [withIp(ip, loginRequest({ email: `user${i % 32}@bench.example`, password: 'wrong password', device: HUMAN_DEVICE }))] })).p50);
    unknown.push((await load({ port: server.port, concurrency: 1, seconds: 0.001, requests: [withIp(ip, loginRequest({ email: `ghost${i}@bench.example`, password: 'wrong password', device: HUMAN_DEVICE }))] })).p50);
  }
  await server.stop();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return [
    {
      name: 'legitimate sign-ins/s during a refusal flood ÷ alone',
      value: during.perSecond, unit: 'sign-ins/s', baseline: alone.perSecond, baselineUnit: 'sign-ins/s', ratio: during.perSecond / alone.perSecond, goal: '≥ 0.8',
      note: `flood: ${flood.total} answers (${Object.entries(flood.statuses).map(([k, v]) => `${k}:${v}`).join(' ')}) from 4,096 addresses`,
    },
    {
      name: 'unknown-email ÷ wrong-password latency (median of 120 each)',
      value: median(unknown), unit: 'ms', baseline: median(wrong), baselineUnit: 'ms', ratio: median(unknown) / median(wrong), goal: '0.95–1.05',
      note: 'one argon2id verification each: a dummy hash with the live parameters for unknown emails',
    },
  ];
}
