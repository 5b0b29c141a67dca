// Legitimate sign-ins while a credential-stuffing flood is being refused, against the same
// sign-ins alone; and the latency of an unknown email against a wrong password.
import http from 'node:http';
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

  // Sequential, one request at a time from this process over one keep-alive connection, in
  // alternating order (ABBA), so both kinds see the same machine state.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const timed = async (r) => {
    const t = performance.now();
    const status = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: r.path, agent, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
      req.on('error', reject);
      req.end(r.body);
    });
    // Both kinds must be answered invalid_credentials after a hash, or the comparison means nothing.
    if (status !== 401) throw new Error(`latency probe answered ${status}`);
    return performance.now() - t;
  };
  const wrong = [];
  const unknown = [];
  // 64 rounds: two wrong passwords per bench account, below the three that would demand a captcha
  // (a captcha answer costs no hash and would make the comparison meaningless).
  for (let i = 0; i < 64; i++) {
    const ip = `203.0.${(i >> 8) & 255}.${(i % 250) + 1}`;
    const a = () => timed(withIp(ip, loginRequest({ email: `user${i % 32}@bench.example`, password: 'wrong password', device: HUMAN_DEVICE })));
    const b = () => timed(withIp(ip, loginRequest({ email: `ghost${i}@bench.example`, password: 'wrong password', device: HUMAN_DEVICE })));
    if (i % 2 === 0) { wrong.push(await a()); unknown.push(await b()); } else { unknown.push(await b()); wrong.push(await a()); }
  }
  agent.destroy();
  await server.stop();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return [
    {
      name: 'legitimate sign-ins/s during a refusal flood ÷ alone',
      value: during.perSecond, unit: 'sign-ins/s', baseline: alone.perSecond, baselineUnit: 'sign-ins/s', ratio: during.perSecond / alone.perSecond, goal: '≥ 0.8',
      note: `flood: ${flood.total} answers (${Object.entries(flood.statuses).map(([k, v]) => `${k}:${v}`).join(' ')}) from 4,096 addresses`,
    },
    {
      name: 'unknown-email ÷ wrong-password latency (median of 64 each)',
      value: median(unknown), unit: 'ms', baseline: median(wrong), baselineUnit: 'ms', ratio: median(unknown) / median(wrong), goal: '0.95–1.05',
      note: 'one argon2id verification each: a dummy hash with the live parameters for unknown emails',
    },
  ];
}
