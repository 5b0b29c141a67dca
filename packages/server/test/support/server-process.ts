import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './tcp-proxy.js';

export const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
export const CLI = join(ROOT, 'packages/server/dist/cli.js');

/** The caller's environment without anything Portcullis would read, so a test sees only what it sets. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(PORTCULLIS_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|NODE_ENV$)/.test(k)) env[k] = v;
  }
  return { ...env, NODE_ENV: 'development', PORTCULLIS_LOG_LEVEL: 'silent', ...extra };
}

export interface ServerProcess {
  origin: string;
  port: number;
  /** Everything the process wrote, stdout and stderr interleaved in the order written. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process gets no chance to flush or close anything. */
  kill(): Promise<void>;
}

/**
 * `portcullis start` as a person runs it (the built CLI, a real port), ready once `/readyz` says so.
 * stdout and stderr share one file, so a test can read which came first.
 */
export async function startServer(options: { dataDir: string; cwd?: string; port?: number; env?: Record<string, string> }): Promise<ServerProcess> {
  const port = options.port ?? await freePort();
  const logFile = join(options.dataDir, '..', `server-${port}.log`);
  const fd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [CLI, 'start'], {
    cwd: options.cwd ?? ROOT, stdio: ['ignore', fd, fd],
    env: cleanEnv({ PORTCULLIS_DATA_DIR: options.dataDir, PORT: String(port), HOST: '127.0.0.1', ...options.env }),
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => readFileSync(logFile, 'utf8');
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portcullis start exited with ${child.exitCode}:\n${output()}`);
    const ready = await fetch(`${origin}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`portcullis start did not get ready in 30 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin, port, output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
