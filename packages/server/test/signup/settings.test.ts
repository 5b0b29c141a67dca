import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

describe('tenant settings (GET/PUT /api/v1/settings)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('reads the defaults, keeps what a PUT omits, and audits tenant.settings_updated', async () => {
    const read = await h.api('GET', '/api/v1/settings');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ data: { signup: { enabled: false, require_email_verification: true }, password: { min_length: 10, reject_common: true } } });
    const put = await h.api('PUT', '/api/v1/settings', { signup: { enabled: true } });
    expect(put.json()).toEqual({ data: { signup: { enabled: true, require_email_verification: true }, password: { min_length: 10, reject_common: true } } });
    const again = await h.api('PUT', '/api/v1/settings', { password: { min_length: 12 } });
    expect(again.json().data).toEqual({ signup: { enabled: true, require_email_verification: true }, password: { min_length: 12, reject_common: true } });
    const [event] = await h.deps.store.audit.list(h.tenant.id, { limit: 1, type: 'tenant.settings_updated' });
    expect(event?.data).toEqual({ settings: again.json().data });
    await h.api('PUT', '/api/v1/settings', { password: { min_length: 10 } });
  });

  it('refuses bad documents naming the field', async () => {
    for (const [body, path] of [[{ password: { min_length: 4 } }, 'password.min_length'], [{ signup: { enabled: 'yes' } }, 'signup.enabled'], [{ extra: 1 }, 'extra']] as const) {
      const res = await h.api('PUT', '/api/v1/settings', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request', details: { fields: [expect.objectContaining({ path })] } });
    }
  });

  it('needs settings:read / settings:write', async () => {
    const token = await h.adminToken('users:read');
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/settings', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden', details: { required_scopes: ['settings:read'] } });
  });

  it('applies the password rules to users created and updated through the API', async () => {
    const common = await h.api('POST', '/api/v1/users', { email: 'c@example.com', password: 'password123' });
    expect(common.statusCode).toBe(400);
    expect(common.json()).toMatchObject({ error: 'invalid_request', details: { fields: [{ path: 'password', message: expect.stringMatching(/too common/) }] } });
    expect((await h.api('POST', '/api/v1/users', { email: 'c@example.com', password: 'nine char' })).json().details.fields).toEqual([{ path: 'password', message: 'must be at least 10 characters' }]);
    const user = (await h.api('POST', '/api/v1/users', { email: 'c@example.com', password: 'a proper passphrase' })).json().data;
    expect((await h.api('PATCH', `/api/v1/users/${user.id}`, { password: 'Football12' })).json().error).toBe('invalid_request');
    await h.api('PUT', '/api/v1/settings', { password: { reject_common: false } });
    expect((await h.api('PATCH', `/api/v1/users/${user.id}`, { password: 'Football12' })).statusCode).toBe(200);
    await h.api('PUT', '/api/v1/settings', { password: { reject_common: true } });
  });

  it('refuses sign-up while it is switched off', async () => {
    await h.api('PUT', '/api/v1/settings', { signup: { enabled: false } });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/signup', headers: { 'x-tenant': 'acme' }, payload: { email: 'x@example.com', password: 'a proper passphrase' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'signup_disabled' });
  });
});
