// Does sharing the cores explain a slower hash? `node bench/cpu-contention.js`: the bare verify loop
// (2 in flight) alone, beside an event loop kept busy ~22 % of the time (2.4 ms of every 11), beside
// another process busy ~30 %, and beside both; CPU per verify of the libuv pool threads from /proc.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { bareHashRate } from './lib.js';
import { threadCpu } from './cpu.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

if (process.argv[2] === 'child') {
  const end = Date.now() + (SECONDS + 2) * 1000;
  while (Date.now() < end) {
    const t = Date.now();
    while (Date.now() - t < 3);
    await new Promise((resolve) => setTimeout(resolve, 7));
  }
  process.exit(0);
}

async function measure(label, { main = false, child = false }) {
  let stop = false;
  const other = child ? fork(new URL(import.meta.url), ['child']) : undefined;
  if (main) {
    void (async () => {
      while (!stop) {
        const t = performance.now();
        while (performance.now() - t < 2.4);
        await new Promise((resolve) => setTimeout(resolve, 9));
      }
    })();
  }
  const before = threadCpu();
  const started = performance.now();
  const rate = await bareHashRate(2, SECONDS);
  const after = threadCpu();
  stop = true;
  other?.kill();
  const verifies = rate * (performance.now() - started) / 1000;
  console.log(`| ${label} | ${rate.toFixed(1)} | ${((after.pool - before.pool) / verifies).toFixed(2)} ms | ${loadavg()[0].toFixed(2)} |`);
}

console.log('| bare loop | verifies/s | pool CPU per verify | load |\n|---|---|---|---|');
for (const round of [0, 1]) {
  await measure(`alone${round ? ' (again)' : ''}`, {});
  await measure('event loop busy 22 %', { main: true });
  await measure('another process busy 30 %', { child: true });
  await measure('both', { main: true, child: true });
}
