/**
 * A private three-master Redis Cluster on loopback, started by the test that needs it and torn
 * down after it: `redis-server --cluster-enabled yes` three times, then `redis-cli --cluster
 * create`. Every process is killed in `stop()` and, as a last resort, when the worker exits.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { freePort } from './tcp-proxy.js';

export interface OwnCluster {
  /** `host:port` of each master, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  ports: number[];
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();
process.once('exit', () => { for (const child of started) child.kill('SIGKILL'); });

/** True when `redis-server` and `redis-cli` are on the PATH. */
export function redisClusterAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
}

/**
 * The suite runs when redis-server is present; absent, one line says so, and under CI=true
 * the absence is an error (a missing binary must not turn into a silently green run).
 */
export function clusterSkipReason(): string | undefined {
  if (redisClusterAvailable()) return undefined;
  if (process.env['CI'] === 'true') throw new Error('redis-server and redis-cli must be installed in CI: the Redis Cluster suites may not be skipped');
  return 'no redis-server on the PATH (apt-get install redis-server)';
}

export async function startRedisCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    })));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i += 1) {
      // The cluster bus port is set explicitly: port + 10000 may be past 65535 for an ephemeral port.
      const [port, busPort] = [await freePort(), await freePort()];
      const child = spawn('redis-server', [
        '--cluster-enabled', 'yes', '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
        '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
        '--save', '', '--appendonly', 'no', '--daemonize', 'no',
      ], { stdio: 'ignore' });
      started.add(child);
      child.once('exit', () => started.delete(child));
      children.push(child);
      ports.push(port);
    }
    await Promise.all(ports.map((port) => cli(['-p', String(port), 'ping'], 10_000)));
    await cli(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], 30_000);
    await untilClusterOk(ports);
    return { nodes: ports.map((p) => `127.0.0.1:${p}`), ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs redis-cli, retrying until it succeeds or `ms` pass (a node may still be starting). */
async function cli(args: string[], ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await new Promise<{ ok: boolean; out: string }>((resolve) => {
      execFile('redis-cli', args, { timeout: 20_000 }, (error, stdout, stderr) => resolve({ ok: !error && !/ERR|Could not/.test(stdout), out: `${stdout}${stderr}` }));
    });
    if (result.ok) return result.out;
    if (Date.now() > deadline) throw new Error(`redis-cli ${args.join(' ')}: ${result.out}`);
    await sleep(100);
  }
}

/** `cluster create` returns before every node agrees; a client connecting too early sees CLUSTERDOWN. */
async function untilClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const states = await Promise.all(ports.map((p) => cli(['-p', String(p), 'cluster', 'info'], 5000)));
    if (states.every((s) => s.includes('cluster_state:ok'))) {
      const probe = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
      try {
        await probe.set('portcullis-cluster-probe', '1');
        await probe.del('portcullis-cluster-probe');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      } finally {
        probe.disconnect();
      }
    }
    if (Date.now() > deadline) throw new Error('the Redis Cluster never reached cluster_state:ok');
    await sleep(200);
  }
}
