import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, requirePostgresInCi } from '../support/database.js';
import { createSignupHarness, mailsSettled, tokenIn, type SignupHarness } from './support.js';

requirePostgresInCi();

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`password reset on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: SignupHarness;
  beforeAll(async () => {
    h = await createSignupHarness({ database: database as 'sqlite' | 'postgres', signup: false });
    await h.createUser('rita@example.com', 'the old passphrase');
    await h.createUser('mallory@example.com', 'the old passphrase');
  });
  afterAll(() => h.close());
  const reset = (email: string, remoteAddress?: string) => h.post('/api/v1/auth/password-reset', { email }, remoteAddress);

  it('answers a known and an unknown email byte for byte alike, mailing only the existing account', async () => {
    const known = await reset('rita@example.com');
    const unknown = await reset('nobody@example.com');
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual({ data: { state: 'reset_requested' } });
    const strip = (r: typeof known) => ({ status: r.statusCode, body: r.body, type: r.headers['content-type'], length: r.headers['content-length'] });
    expect(strip(unknown)).toEqual(strip(known));
    await mailsSettled(h, 1);
    expect(h.smtp.mails.map((m) => m.to)).toEqual([['rita@example.com']]);
  });

  it('sets the new password with a single-use link and ends every session', async () => {
    const session = (await h.login({ email: 'rita@example.com', password: 'the old passphrase' })).json().data;
    const token = tokenIn(h.mailsTo('rita@example.com')[0]!.text, 'reset-password')!;
    const done = await h.post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ data: { state: 'password_reset' } });
    expect((await h.deps.store.sessions.byId(h.tenant.id, session.session.id))?.revokedReason).toBe('password_reset');
    expect((await h.post('/api/v1/auth/password-reset/confirm', { token, password: 'yet another passphrase' })).json()).toMatchObject({ error: 'token_invalid' });
    expect((await h.login({ email: 'rita@example.com', password: 'the old passphrase' })).json().error).toBe('invalid_credentials');
    expect((await h.login({ email: 'rita@example.com', password: 'a brand new passphrase' })).statusCode).toBe(200);
    const types = (await h.deps.store.audit.list(h.tenant.id, { limit: 50 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['user.password_reset_requested', 'user.password_reset', 'user.signed_in']));
  });

  it('refuses a common or short new password naming the field, and keeps the link for a better one', async () => {
    const before = h.smtp.mails.length;
    await reset('mallory@example.com', '198.51.100.7');
    await mailsSettled(h, before + 1);
    const token = tokenIn(h.mailsTo('mallory@example.com')[0]!.text, 'reset-password')!;
    const common = await h.post('/api/v1/auth/password-reset/confirm', { token, password: 'iloveyou12' });
    expect(common.statusCode).toBe(400);
    expect(common.json()).toMatchObject({ error: 'invalid_request', details: { fields: [{ path: 'password', message: expect.stringMatching(/too common/) }] } });
    expect((await h.post('/api/v1/auth/password-reset/confirm', { token, password: 'short' })).json().details.fields[0]).toEqual({ path: 'password', message: 'must be at least 10 characters' });
    expect((await h.post('/api/v1/auth/password-reset/confirm', { token, password: 'a sound passphrase' })).statusCode).toBe(200);
  });

  it('expires a reset link after one hour', async () => {
    const before = h.smtp.mails.length;
    await reset('mallory@example.com', '198.51.100.8');
    await mailsSettled(h, before + 1);
    const token = tokenIn(h.mailsTo('mallory@example.com').at(-1)!.text, 'reset-password')!;
    h.clock.advance(3600_000 + 1);
    expect((await h.post('/api/v1/auth/password-reset/confirm', { token, password: 'a sound passphrase' })).json().error).toBe('token_invalid');
  });

  it('mails one account at most three times an hour, however many addresses ask', async () => {
    h.clock.advance(2 * 3600_000);
    const before = h.mailsTo('rita@example.com').length;
    const answers: Awaited<ReturnType<typeof reset>>[] = [];
    for (let i = 0; i < 10; i++) answers.push(await reset('rita@example.com', `203.0.113.${i + 1}`));
    expect(answers.every((a) => a.statusCode === 202 && a.body === answers[0]!.body)).toBe(true);
    await mailsSettled(h, h.smtp.mails.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.mailsTo('rita@example.com').length - before).toBe(3);
    const denied = (await h.deps.store.audit.list(h.tenant.id, { limit: 100, type: 'user.password_reset_requested', outcome: 'denied' }));
    expect(denied.length).toBe(7);
  });
});
}
