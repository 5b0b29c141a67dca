// Where a refusal's or a token's event-loop CPU goes (issue 15): `node bench/cpu-profile.js risk|tokens [seconds]`
// (after `npm run build`). Loads the in-process server from another process (32 connections of
// `captcha_required` refusals, or 16 of client-credentials tokens), profiles the event loop with
// the inspector during the load only (not start-up), prints CPU µs per answer (all threads, from
// process.cpuUsage) and the functions with the most self and inclusive samples, and writes the
// profile to /tmp for Chrome DevTools. V8 samples wall time: read shares against the busy samples.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { startServer, load, loginRequest, onlyStatuses, TEST_CAPTCHA } from './lib.js';
import { tokenRequest } from './client-credentials.js';
import { machineLoad } from './cpu.js';

const which = process.argv[2] === 'tokens' ? 'tokens' : 'risk';
const seconds = Number(process.argv[3] ?? 4);
const server = await startServer(which === 'risk' ? { policy: { captcha: TEST_CAPTCHA } } : {});
const requests = which === 'risk'
  ? Array.from({ length: 64 }, (_, i) => loginRequest({ email: `victim${i}@bench.example`, password: 'stuffed password' }))
  : [tokenRequest(server, 'users:read')];
const concurrency = which === 'risk' ? 32 : 16;
await load({ port: server.port, concurrency, seconds: 1, requests }); // warm-up: JIT, statement cache, templates
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const before = process.cpuUsage();
const result = await load({ port: server.port, concurrency, seconds, requests });
const used = process.cpuUsage(before);
const { profile } = await session.post('Profiler.stop');
await server.stop();
onlyStatuses(result, [which === 'risk' ? 403 : 200], 'profile');
const file = `/tmp/portcullis-${which}.cpuprofile`;
writeFileSync(file, JSON.stringify(profile));
console.log(`${which}: ${result.total} answers, CPU ${((used.user + used.system) / result.total).toFixed(0)} µs/answer (all threads, profiler on); ${machineLoad()}; ${file}`);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*packages\/server\/dist\//, 'server/')}:${n.callFrame.lineNumber + 1}`;
const selfOf = new Map();
const inclusiveOf = new Map();
let busy = 0;
for (const id of profile.samples) {
  const node = byId.get(id);
  if (node.callFrame.functionName === '(idle)') continue;
  busy += 1;
  selfOf.set(name(node), (selfOf.get(name(node)) ?? 0) + 1);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(byId.get(cur));
    if (!seen.has(key)) { seen.add(key); inclusiveOf.set(key, (inclusiveOf.get(key) ?? 0) + 1); }
  }
}
const top = (counts, n) => [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, c]) => `${(100 * c / busy).toFixed(1).padStart(5)} % ${k}`).join('\n');
console.log(`--- self (share of busy samples)\n${top(selfOf, 25)}\n--- inclusive\n${top(inclusiveOf, 50)}`);
