// Client-credentials tokens per second against a hello-world JSON route on the same server.
import { startServer, load, onlyStatuses, BENCH_SECONDS } from './lib.js';

export async function run() {
  const server = await startServer({ extend: (app) => { app.get('/bench/hello', async () => ({ hello: 'world' })); } });
  const concurrency = 16;
  const hello = await load({ port: server.port, concurrency, seconds: BENCH_SECONDS, requests: [{ method: 'GET', path: '/bench/hello' }] });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: server.admin.client_id, client_secret: server.admin.client_secret, scope: 'users:read' }).toString();
  const tokens = await load({
    port: server.port, concurrency, seconds: BENCH_SECONDS,
    requests: [{ path: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': 'bench' }, body: form }],
  });
  await server.stop();
  onlyStatuses(tokens, [200], 'token bench');
  return [{
    name: 'client-credentials tokens/s ÷ hello-world JSON route',
    value: tokens.perSecond, unit: 'tokens/s', baseline: hello.perSecond, baselineUnit: 'req/s', ratio: tokens.perSecond / hello.perSecond, goal: '≥ 0.4',
    note: `${concurrency} connections from a separate process; each token signed (ES256) and audited (group commit)`,
  }];
}
