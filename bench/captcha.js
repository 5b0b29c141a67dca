// 200 sign-ins waiting on a siteverify that answers in 250 ms must not stall the event loop, and
// unrelated sign-ins must keep flowing meanwhile (the verification is I/O, not work).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer, load, loginRequest, onlyStatuses, validLogins, BENCH_SECONDS } from './lib.js';

const withClientIp = (ip, request) => ({ ...request, headers: { ...request.headers, 'x-forwarded-for': ip } });

const SITE = { provider: 'turnstile', sitekey: '0x4AAAAAAAbenchSiteKey', secret: '0x4AAAAAAAbenchSecret000000000000' };

export async function run() {
  // The provider runs in its own process (a real one is across the network): what is measured is
  // the server's cost of waiting on it, not the emulator's cost of answering.
  const emulator = fork(new URL('./emulator-worker.js', import.meta.url), { stdio: 'inherit' });
  const ask = async (message) => { const reply = once(emulator, 'message'); emulator.send(message); return (await reply)[0]; };
  await once(emulator, 'message');
  // Tokens for the waiting verifications: each request spends one (the replay set forbids reuse).
  // They are minted for another action, so each is refused after its 250 ms wait and none goes
  // on to a password hash: the figure isolates waiting on the provider from hashing.
  const { url, tokens } = await ask({ setup: { site: SITE, latencyMs: 250, mint: { count: 20_000, claims: { provider: 'turnstile', sitekey: SITE.sitekey, action: 'signup', hostname: 'bench.example' } } } });
  // Requests carry their client address in X-Forwarded-For from a trusted proxy (loopback), so the
  // flood and the legitimate users are different clients, as they are in production.
  const server = await startServer({
    env: { PORTCULLIS_TRUSTED_PROXIES: '127.0.0.1/32' },
    policy: { captcha: { provider: 'turnstile', site_key: SITE.sitekey, secret: SITE.secret, verify_url: `${url}/turnstile/v0/siteverify` } },
  });
  const alone = await load({ port: server.port, concurrency: 4, seconds: BENCH_SECONDS, requests: validLogins() });
  onlyStatuses(alone, [200], 'captcha bench (alone)');

  const waiting = tokens.map((token, i) => withClientIp(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, loginRequest({
    email: `nobody${i % 500}@bench.example`, password: 'wrong password', captcha: { provider: 'turnstile', token },
  })));
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const [during, captchaLoad] = await Promise.all([
    load({ port: server.port, concurrency: 4, seconds: BENCH_SECONDS, requests: validLogins() }),
    load({ port: server.port, concurrency: 200, seconds: BENCH_SECONDS, requests: waiting }),
  ]);
  delay.disable();
  const { calls: verifyCalls } = await ask({ calls: true });
  await server.stop();
  emulator.send({ close: true });
  onlyStatuses(during, [200], 'captcha bench (during)');
  const p99 = delay.percentile(99) / 1e6;
  return [
    {
      name: 'event-loop delay p99 while 200 verifications wait on a 250 ms siteverify',
      value: p99, unit: 'ms', baseline: 20, baselineUnit: 'ms (goal)', ratio: p99 / 20, goal: 'p99 ≤ 20 ms (ratio ≤ 1)',
      note: `${verifyCalls} siteverify calls, ${captchaLoad.total} captcha answers (${Object.entries(captchaLoad.statuses).map(([k, v]) => `${k}:${v}`).join(' ')})`,
    },
    {
      name: 'unrelated sign-ins/s during the 200 waiting verifications ÷ alone',
      value: during.perSecond, unit: 'sign-ins/s', baseline: alone.perSecond, baselineUnit: 'sign-ins/s', ratio: during.perSecond / alone.perSecond, goal: 'keeps flowing',
      note: `p99 ${during.p99.toFixed(0)} ms during vs ${alone.p99.toFixed(0)} ms alone`,
    },
  ];
}
