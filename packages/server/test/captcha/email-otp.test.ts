import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { mint, startEmulatorFor } from '../support/captcha.js';
import { startSmtpServer } from '../support/smtp.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

describe('email-code fallback while the captcha provider is down', () => {
  let h: Harness;
  let emu: RunningEmulator;
  let smtp: Smtp;
  beforeEach(async () => {
    smtp = await startSmtpServer();
    h = await createHarness({ env: { PORTCULLIS_SMTP_URL: smtp.url } });
    await h.createUser('anita@example.com', 'correct horse battery');
    emu = await startEmulatorFor(h, { captcha: { timeout_ms: 300, outage_fallback: 'email_otp' } });
    emu.controls.setMode('http500');
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
    await smtp.close();
  });
  const attempt = (password: string) => h.login({ email: 'anita@example.com', password, device: undefined, captcha: { provider: 'turnstile', token: mint(emu) } });
  const complete = (challenge_id: string, code: string) => h.app.inject({ method: 'POST', url: '/api/v1/auth/login/email-otp', headers: { 'x-tenant': 'acme' }, payload: { challenge_id, code } });
  const codeIn = (raw: string) => /sign-in code: (\d{6})/.exec(raw)?.[1];

  it('answers the same whatever the password, and mails a code over SMTP only when it was right', async () => {
    const wrong = await attempt('not the password');
    const right = await attempt('correct horse battery');
    expect(wrong.statusCode).toBe(403);
    const shape = (r: typeof wrong) => ({ ...r.json(), request_id: 'x', details: { ...r.json().details, challenge_id: 'x' } });
    expect(shape(wrong)).toEqual(shape(right));
    expect(right.json()).toMatchObject({ error: 'email_otp_required', details: { channel: 'email', expires_in: 600, reason: 'captcha_unavailable' } });
    await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['anita@example.com']);
    const code = codeIn(smtp.mails[0]!.raw)!;
    expect(code).toMatch(/^\d{6}$/);
    // The code belongs to its own attempt only.
    expect((await complete(wrong.json().details.challenge_id, code)).json().error).toBe('otp_invalid');
    const done = await complete(right.json().details.challenge_id, code);
    expect(done.statusCode).toBe(200);
    expect(done.json().data.state).toBe('success');
    expect((await complete(right.json().details.challenge_id, code)).json()).toMatchObject({ error: 'otp_invalid', details: { attempts_left: 0 } });
    const types = (await h.deps.store.audit.list(h.tenant.id, { limit: 50 })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['captcha.provider_unreachable', 'email_otp.sent', 'email_otp.verified', 'email_otp.failed', 'user.signed_in']));
    expect(JSON.stringify(await h.deps.store.audit.list(h.tenant.id, { limit: 50 }))).not.toContain(code);
  });

  it('allows five tries, then none, and expires after ten minutes', async () => {
    const res = await attempt('correct horse battery');
    const id = res.json().details.challenge_id;
    await smtp.waitFor(1);
    const code = codeIn(smtp.mails[0]!.raw)!;
    const wrongCode = code === '000000' ? '111111' : '000000';
    const left: number[] = [];
    for (let i = 0; i < 5; i++) left.push((await complete(id, wrongCode)).json().details.attempts_left);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect((await complete(id, code)).json()).toMatchObject({ error: 'otp_invalid', details: { attempts_left: 0 } });

    const again = await attempt('correct horse battery');
    await smtp.waitFor(2);
    h.clock.advance(600_001);
    expect((await complete(again.json().details.challenge_id, codeIn(smtp.mails[1]!.raw)!)).json().error).toBe('otp_invalid');
  });
});
