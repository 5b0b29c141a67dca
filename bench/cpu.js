// CPU per operation and the GET /healthz baseline, for the ratios of issue 15.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { load } from './lib.js';

/**
 * Runs `work` and returns its result with the CPU this process spent meanwhile (all threads: event
 * loop, hash pool, GC helpers). The server runs in this process and its load in another, so this is
 * the server's CPU alone.
 */
export async function withCpu(work) {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

/** GET /healthz answers/s on `port` at `concurrency`: the cheapest answer the same server gives. */
export function healthz(port, concurrency, seconds) {
  return load({ port, concurrency, seconds, requests: [{ method: 'GET', path: '/healthz' }] });
}

/** The machine is shared: every figure carries the load average it was measured under. */
export const machineLoad = () => `load ${loadavg()[0].toFixed(2)}`;

const TICK_MS = 10; // /proc times are in USER_HZ (100 on Linux)

/**
 * CPU ms so far of this process's threads from /proc/self/task: `main` (the event loop), `pool`
 * (libuv's workers: the argon2 hashes, the WAL flushes) and `v8` (V8's platform workers: GC helpers,
 * background compilation). Node 20 names them all "node"; libuv's pool is the 4 threads started last.
 */
export function threadCpu() {
  const out = { main: 0, pool: 0, v8: 0 };
  const tids = readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);
  for (const tid of tids) {
    let stat;
    try { stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'); } catch { continue; }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const key = tid === process.pid ? 'main' : name.startsWith('libuv') || tid >= tids[tids.length - 4] ? 'pool' : 'v8';
    out[key] += ms;
  }
  return out;
}
