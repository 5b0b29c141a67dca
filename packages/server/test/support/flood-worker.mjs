// An open-loop flood in its own process, so its CPU is not the server's event loop's: sends
// `rate` requests a second (cycling through `requests`) while switched on, on at most `cap`
// keep-alive sockets; a request that would pass the cap is not sent (an attacker's sockets are
// finite too) and counted as skipped. Messages: { start: {port, rate, cap, requests} }, { on },
// { off }, { report } → { sent, skipped, statuses, samples }.
import http from 'node:http';

let config;
let on = false;
let outstanding = 0;
let next = 0;
let sent = 0;
let skipped = 0;
const statuses = {};
const samples = {};
let agent;

function fire() {
  if (outstanding >= config.cap) { skipped += 1; return; }
  const r = config.requests[next++ % config.requests.length];
  outstanding += 1;
  sent += 1;
  const req = http.request({ host: '127.0.0.1', port: config.port, method: 'POST', path: r.path, agent, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      outstanding -= 1;
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      samples[res.statusCode] ??= { body: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] ?? null };
    });
  });
  req.on('error', () => { outstanding -= 1; if (on) statuses.error = (statuses.error ?? 0) + 1; });
  req.end(r.body);
}

// Ticks of 10 ms, each sending what the rate owes since the last: a steady rate, not bursts.
let owed = 0;
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (on) {
    owed += ((now - last) * config.rate) / 1000;
    for (; owed >= 1; owed -= 1) fire();
  }
  last = now;
}, 10);

process.on('message', (m) => {
  if (m.start) { config = m.start; agent = new http.Agent({ keepAlive: true, maxSockets: config.cap }); process.send({ started: true }); }
  else if (m.on) { on = true; owed = 0; last = performance.now(); process.send({ on: true }); }
  else if (m.off) {
    // Hang up on whatever is still waiting, as a flood tool that stops does: no request of this
    // phase may be answered (and cost the server) in the next.
    on = false;
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: config.cap });
    process.send({ off: true });
  }
  else if (m.report) process.send({ sent, skipped, statuses, samples, outstanding });
  else if (m.exit) process.exit(0);
});
