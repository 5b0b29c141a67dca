// A load generator in its own process, so the server's event loop is measured alone.
// Receives { port, concurrency, seconds, requests: [{method, path, headers, body}] } on stdin-IPC;
// cycles through `requests`; answers { perSecond, statuses, total, latencies }.
import http from 'node:http';

process.on('message', async ({ port, concurrency, seconds, requests, rotateIp }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = {};
  const latencies = [];
  let done = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const r = requests[next++ % requests.length];
      const t = performance.now();
      const status = await send(agent, port, r);
      latencies.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
      done += 1;
    }
  }));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  process.send({ perSecond: done / ((performance.now() - started) / 1000), statuses, total: done, p50: pct(0.5), p99: pct(0.99) });
});

function send(agent, port, { method = 'POST', path, headers = {}, body }) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve('error'));
    if (body) req.write(body);
    req.end();
  });
}
