import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startServer, type ServerProcess } from './support/server-process.js';

// The demo tenant is seeded on the first start; a person who later runs `PORT=3001 npm start` must
// still get a widget and a verifying captcha from the server they are talking to, not from the port
// of the first start (which nothing listens on any more: sign-in would fail as captcha_unavailable).
describe('the demo tenant after a restart on another port', () => {
  let dir: string;
  let second: ServerProcess | undefined;
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'portcullis-demo-port-'));
  }, 150_000);
  afterAll(async () => {
    await second?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the widget and verifies the captcha on the new port', async () => {
    const dataDir = join(dir, 'data');
    const first = await startServer({ dataDir });
    expect(await first.stop()).toBe(0);
    second = await startServer({ dataDir });
    expect(second.port).not.toBe(first.port);
    const B = second.origin;

    const page = await fetch(`${B}/login`);
    const csp = page.headers.get('content-security-policy') ?? '';
    const html = await page.text();
    expect(csp).not.toContain(`:${first.port}`);
    const scriptUrl = /"scriptUrls":\{"turnstile":"([^"]+)"\}/.exec(html)?.[1];
    expect(scriptUrl).toBeDefined();
    const script = new URL(scriptUrl!, `${B}/login`);
    expect(script.origin).toBe(B);
    const widget = await fetch(script);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/^text\/javascript/);

    const { user } = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { user: { email: string; password: string } };
    const minted = await fetch(`${B}/__captcha/__emulator/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'turnstile', sitekey: '3x00000000000000000000FF', action: 'login', hostname: '127.0.0.1' }),
    });
    const { token } = await minted.json() as { token: string };
    const login = await fetch(`${B}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password, captcha: { provider: 'turnstile', token } }),
    });
    const body = await login.json() as { data?: { state: string } };
    expect(login.status, JSON.stringify(body)).toBe(200);
    expect(body.data?.state).toBe('success');
  }, 90_000);
});
