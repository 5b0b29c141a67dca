import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { CLI, ROOT, cleanEnv, startServer } from '../support/server-process.js';

/**
 * DESIGN §16 "works out of the box", as an operator meets it: a tenant fresh from `portcullis tenant
 * create`, nothing configured, challenges a bot-like sign-in with a proof of work it can pass,
 * where it used to answer `sign_in_denied` for want of a provider.
 */
describe('a tenant fresh from `portcullis tenant create`', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'portcullis-altcha-cli-'));
  }, 150_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('challenges with altcha before anyone configures a provider, and the solved challenge signs in', async () => {
    const dataDir = join(dir, 'data');
    const cli = (args: string[]) => {
      const res = spawnSync(process.execPath, [CLI, ...args, '--json'], { env: cleanEnv({ PORTCULLIS_DATA_DIR: dataDir }), encoding: 'utf8', timeout: 30_000 });
      expect(res.status, res.stderr).toBe(0);
      return JSON.parse(res.stdout);
    };
    cli(['tenant', 'create', 'shop']);
    cli(['user', 'create', '--tenant', 'shop', '--email', 'ada@shop.example', '--password', 'a long enough password']);
    const server = await startServer({ dataDir });
    try {
      // No device data: the engine challenges (device.low_confidence).
      const login = (captcha?: unknown) => fetch(`${server.origin}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant': 'shop' },
        body: JSON.stringify({ email: 'ada@shop.example', password: 'a long enough password', ...(captcha ? { captcha } : {}) }),
      });
      const asked = await login();
      const body = await asked.json() as { error: string; details: { challenge_url: string } };
      expect(asked.status).toBe(403);
      expect(body).toMatchObject({ error: 'captcha_required', details: { provider: 'altcha', site_key: null, action: 'login' } });
      expect(body.details).not.toHaveProperty('fallback');

      const challenge = await (await fetch(new URL(body.details.challenge_url, server.origin))).json() as Challenge;
      const solution = await solveChallenge({ challenge, deriveKey });
      const token = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
      const ok = await login({ provider: 'altcha', token });
      expect(ok.status).toBe(200);
      expect((await ok.json() as { data: { state: string } }).data.state).toBe('success');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);
});
