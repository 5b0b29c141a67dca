import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/load.js';
import { compose } from '../src/compose.js';
import { buildApp, REDACT_PATHS } from '../src/http/app.js';
import { createTenant } from '../src/services/tenants.js';
import { HUMAN_DEVICE } from './support/harness.js';

/** Secrets, passwords, tokens and codes never reach logs: the server logs at trace level here, and every line is searched. */
describe('logs', () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-log-'));
  let secret = '';

  beforeAll(async () => {
    const { deps, close: done } = await compose(loadConfig({ PORTCULLIS_DATA_DIR: dir, NODE_ENV: 'test' }));
    close = done;
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    app = await buildApp(deps, { logger: { level: 'trace', stream, redact: { paths: REDACT_PATHS, censor: '[redacted]' } } });
    const created = await createTenant(deps, { slug: 'logs' });
    secret = created.application.client_secret;
  });
  afterAll(async () => {
    await app.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never contain passwords, client secrets, bearer tokens, refresh tokens or captcha tokens', async () => {
    const headers = { 'x-tenant': 'logs' };
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { email: 'a@example.com', password: 'hunter2-password', device: HUMAN_DEVICE, captcha: { provider: 'turnstile', token: 'captcha-token-value' } } });
    const token = await app.inject({ method: 'POST', url: '/oauth2/token', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`app_x:${secret}`).toString('base64')}` }, payload: 'grant_type=client_credentials' });
    await app.inject({ method: 'POST', url: '/oauth2/token', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=refresh_token&refresh_token=prt_refresh-token-value' });
    await app.inject({ method: 'GET', url: '/api/v1/users', headers: { ...headers, authorization: 'Bearer bearer-token-value' } });
    await app.inject({ method: 'POST', url: '/api/v1/auth/login/email-otp', headers, payload: { challenge_id: 'chl_x', code: '123456' } });
    expect(token.statusCode).toBe(401);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const needle of ['hunter2-password', secret, 'captcha-token-value', 'prt_refresh-token-value', 'bearer-token-value', Buffer.from(`app_x:${secret}`).toString('base64')]) {
      expect(log).not.toContain(needle);
    }
  });
});
