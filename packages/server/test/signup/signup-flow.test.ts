import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, requirePostgresInCi } from '../support/database.js';
import { createSignupHarness, mailsSettled, tokenIn, type SignupHarness } from './support.js';

requirePostgresInCi();

const PASSWORD = 'lantern orchard seventeen';

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`sign-up → verify on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: SignupHarness;
  beforeAll(async () => {
    h = await createSignupHarness({ database: database as 'sqlite' | 'postgres' });
    await h.createUser('taken@example.com', 'an old passphrase here');
  });
  afterAll(() => h.close());

  it('answers 202 verification_sent, mails a single-use link over SMTP, and the link signs the person in', async () => {
    const res = await h.post('/api/v1/auth/signup', { email: 'New.Person@Example.com', password: PASSWORD });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ data: { state: 'verification_sent' } });
    await mailsSettled(h, 1);
    const [mail] = h.mailsTo('new.person@example.com');
    const token = tokenIn(mail!.text, 'verify-email')!;
    expect(mail!.text).toContain(`/tenants/acme/verify-email?token=${token}`);
    expect(token.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits of base64url

    // Not verified yet: the right password is told so, a wrong one hears invalid_credentials as ever.
    const early = await h.login({ email: 'new.person@example.com', password: PASSWORD });
    expect(early.statusCode).toBe(403);
    expect(early.json()).toEqual({ error: 'email_not_verified', message: expect.any(String), request_id: expect.stringMatching(/^req_/) });
    expect((await h.login({ email: 'new.person@example.com', password: 'not the right one at all' })).json().error).toBe('invalid_credentials');

    const verified = await h.post('/api/v1/auth/verify-email', { token });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().data).toMatchObject({ state: 'success', token_type: 'Bearer', session: { id: expect.stringMatching(/^ses_/), user_id: expect.stringMatching(/^usr_/) } });
    expect((await h.post('/api/v1/auth/verify-email', { token })).json()).toMatchObject({ error: 'token_invalid' });
    expect((await h.login({ email: 'new.person@example.com', password: PASSWORD })).statusCode).toBe(200);

    const types = (await h.deps.store.audit.list(h.tenant.id, { limit: 50 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['user.signed_up', 'user.email_verified', 'tenant.settings_updated']));
    expect(JSON.stringify(await h.deps.store.audit.list(h.tenant.id, { limit: 50 }))).not.toContain(token);
  });

  it('answers a taken email byte for byte like a free one, and mails its owner instead', async () => {
    const before = h.smtp.mails.length;
    const free = await h.post('/api/v1/auth/signup', { email: 'free@example.com', password: PASSWORD });
    const taken = await h.post('/api/v1/auth/signup', { email: 'taken@example.com', password: PASSWORD });
    const strip = (r: typeof free) => ({ status: r.statusCode, body: r.body, type: r.headers['content-type'], cache: r.headers['cache-control'], length: r.headers['content-length'] });
    expect(strip(taken)).toEqual(strip(free));
    await mailsSettled(h, before + 2);
    const owner = h.mailsTo('taken@example.com');
    expect(owner).toHaveLength(1);
    expect(owner[0]!.text).toMatch(/already has one/);
    expect(tokenIn(owner[0]!.text, 'verify-email')).toBeUndefined();
    // The owner's password is untouched.
    expect((await h.login({ email: 'taken@example.com', password: 'an old passphrase here' })).statusCode).toBe(200);
  });

  it('expires a verification link after 24 hours', async () => {
    const before = h.smtp.mails.length;
    await h.post('/api/v1/auth/signup', { email: 'slow@example.com', password: PASSWORD });
    await mailsSettled(h, before + 1);
    const token = tokenIn(h.mailsTo('slow@example.com')[0]!.text, 'verify-email')!;
    h.clock.advance(24 * 3600_000 + 1);
    expect((await h.post('/api/v1/auth/verify-email', { token })).json().error).toBe('token_invalid');
  });

  it('cannot be pre-hijacked: a second sign-up of an unverified address does not set the password the first link confirms', async () => {
    const before = h.smtp.mails.length;
    await h.post('/api/v1/auth/signup', { email: 'victim@example.com', password: 'attacker chosen secret' });
    await h.post('/api/v1/auth/signup', { email: 'victim@example.com', password: 'owner chosen secret' });
    await mailsSettled(h, before + 2);
    const links = h.mailsTo('victim@example.com').map((m) => tokenIn(m.text, 'verify-email')!);
    expect(links).toHaveLength(2);
    // The owner follows the link of their own sign-up: their password holds, the other link dies.
    expect((await h.post('/api/v1/auth/verify-email', { token: links[1]! })).statusCode).toBe(200);
    expect((await h.login({ email: 'victim@example.com', password: 'attacker chosen secret' })).json().error).toBe('invalid_credentials');
    expect((await h.login({ email: 'victim@example.com', password: 'owner chosen secret' })).statusCode).toBe(200);
    expect((await h.post('/api/v1/auth/verify-email', { token: links[0]! })).json().error).toBe('token_invalid');
  });

  it('refuses malformed input with invalid_request naming the field, never a 500', async () => {
    const bad = await h.post('/api/v1/auth/signup', { email: 'not-an-email', password: PASSWORD });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request', details: { fields: [{ path: 'email' }] } });
    const token = await h.post('/api/v1/auth/verify-email', { token: 'x'.repeat(500) });
    expect(token.statusCode).toBe(400);
    expect(token.json().error).toBe('invalid_request');
    expect((await h.post('/api/v1/auth/verify-email', { token: 'no such token' })).json().error).toBe('invalid_request');
    expect((await h.post('/api/v1/auth/signup', { email: 'a@example.com', password: 'x'.repeat(2000) })).statusCode).toBe(400);
  });
});
}
