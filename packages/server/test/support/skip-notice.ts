import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which the browser suites drive (e2e/support/browser.ts, packages/js/test/browser-smoke.test.ts). */
const CHROMIUM = '/usr/bin/chromium';

/**
 * The suites a run will skip, each said once in one line naming what to set, so a green run on a
 * laptop without PostgreSQL, Redis or Chromium does not pass for the whole suite. Under CI=true the
 * suites themselves refuse to skip.
 */
export function skipNotices(env: NodeJS.ProcessEnv, chromiumPresent: boolean, redisServerPresent = true): string[] {
  const notices: string[] = [];
  if (!env['TEST_DATABASE_URL']) notices.push('skipping the PostgreSQL suites: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them');
  if (!env['TEST_REDIS_URL']) notices.push('skipping the Redis suites: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run them');
  if (!env['TEST_DATABASE_URL'] || !env['TEST_REDIS_URL']) notices.push('skipping the scaled-out suites: they need both TEST_DATABASE_URL and TEST_REDIS_URL');
  if (!redisServerPresent) notices.push('skipping the Redis Cluster suites: no redis-server and redis-cli on the PATH (apt-get install redis-server)');
  if (!chromiumPresent) notices.push(`skipping the browser suites: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return notices;
}

/** Vitest global setup: runs once per `vitest run`, before any test file. */
export default function setup(): void {
  for (const line of skipNotices(process.env, existsSync(CHROMIUM), spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0)) process.stderr.write(`${line}\n`);
}
