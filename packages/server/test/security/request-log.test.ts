import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load.js';
import { compose } from '../../src/compose.js';
import { buildApp, REDACT_PATHS } from '../../src/http/app.js';
import { loggableUrl } from '../../src/http/request-log.js';
import { createTenant } from '../../src/services/tenants.js';

// Issue 9 #6: a client secret in the query string was refused, but the URL reached the request log whole.
describe('the request log', () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-reqlog-'));
  let secret = '';
  let clientId = '';

  beforeAll(async () => {
    const { deps, close: done } = await compose(loadConfig({ PORTCULLIS_DATA_DIR: dir, NODE_ENV: 'test' }));
    close = done;
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    app = await buildApp(deps, { logger: { level: 'info', stream, redact: { paths: REDACT_PATHS, censor: '[redacted]' } } });
    const created = await createTenant(deps, { slug: 'logs' });
    secret = created.application.client_secret;
    clientId = created.application.client_id;
  });
  afterAll(async () => {
    await app.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a client secret sent in the query string of either token endpoint out of every line', async () => {
    const query = `grant_type=client_credentials&client_id=${clientId}&client_secret=${secret}`;
    await app.inject({ method: 'POST', url: `/oauth2/token?${query}`, headers: { 'x-tenant': 'logs', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials' });
    await app.inject({ method: 'POST', url: `/tenants/logs/oauth2/token?${query}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials' });
    await app.inject({ method: 'GET', url: `/api/v1/users?access_token=${secret}&limit=5`, headers: { 'x-tenant': 'logs' } });
    const log = lines.join('');
    expect(log).toContain('"url":"/oauth2/token?[redacted]"');
    expect(log).toContain('"url":"/tenants/logs/oauth2/token?[redacted]"');
    expect(log).toContain('"url":"/api/v1/users?access_token=[redacted]&limit=5"');
    expect(log).not.toContain(secret);
  });

  it('redacts secret-looking parameters everywhere and keeps the rest', () => {
    expect(loggableUrl('/login?return_to=https%3A%2F%2Fapp.example&code=123456')).toBe('/login?return_to=https%3A%2F%2Fapp.example&code=[redacted]');
    expect(loggableUrl('/api/v1/users?password=x&api_key=y&cursor=c1')).toBe('/api/v1/users?password=[redacted]&api_key=[redacted]&cursor=c1');
    expect(loggableUrl('/oauth2/token')).toBe('/oauth2/token');
  });
});
