// CPU per operation and the GET /healthz baseline, for the ratios of issue 15.
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
