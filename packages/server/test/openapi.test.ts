import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';

describe('the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('is OpenAPI 3.1, generated from the route schemas, and lists every public route of DESIGN §5–§10', async () => {
    const res = await h.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v1/auth/login', '/api/v1/auth/login/email-otp', '/api/v1/auth/logout', '/oauth2/token',
      '/api/v1/users', '/api/v1/users/{id}', '/api/v1/users/{id}/unlock', '/api/v1/applications', '/api/v1/applications/{id}',
      '/api/v1/applications/{id}/rotate-secret', '/api/v1/risk/policy', '/api/v1/risk/feeds', '/api/v1/risk/ips/{ip}',
      '/api/v1/risk/ips/{ip}/failures', '/api/v1/audit/events', '/.well-known/jwks.json', '/.well-known/openid-configuration',
    ]) expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.paths['/api/v1/auth/login']?.['post']?.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/users']?.['get']?.security).toEqual([{ bearer: [] }]);
  });
});
