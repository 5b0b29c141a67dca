import type { LightMyRequestResponse } from 'fastify';
import { createHarness, HUMAN_DEVICE, type Harness, type HarnessOptions } from '../support/harness.js';
import { startSmtpServer, type ReceivedMail } from '../support/smtp.js';

export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

export interface SignupHarness extends Harness {
  smtp: Smtp;
  post(url: string, payload: Record<string, unknown>, remoteAddress?: string): Promise<LightMyRequestResponse>;
  /** The mails to one address, body decoded (quoted-printable soft breaks and escapes undone). */
  mailsTo(address: string): Array<ReceivedMail & { text: string }>;
}

/** Decodes a quoted-printable body enough to read links out of it. */
export function decodeMail(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The token of the first `/<page>?token=` link in a mail. */
export function tokenIn(text: string, page: 'verify-email' | 'reset-password'): string | undefined {
  return new RegExp(`/${page}\\?token=([A-Za-z0-9_-]+)`).exec(text)?.[1];
}

/** A harness that mails over real SMTP on loopback, with sign-up switched on unless told otherwise. */
export async function createSignupHarness(options: HarnessOptions & { signup?: boolean } = {}): Promise<SignupHarness> {
  const smtp = await startSmtpServer();
  const h = await createHarness({ ...options, env: { PORTCULLIS_SMTP_URL: smtp.url, ...options.env } });
  if (options.signup !== false) {
    const res = await h.api('PUT', '/api/v1/settings', { signup: { enabled: true } });
    if (res.statusCode !== 200) throw new Error(`settings: ${res.statusCode} ${res.body}`);
  }
  const close = h.close;
  return Object.assign(h, {
    smtp,
    post: (url: string, payload: Record<string, unknown>, remoteAddress?: string) => h.app.inject({
      method: 'POST', url, headers: { 'x-tenant': 'acme' }, ...(remoteAddress ? { remoteAddress } : {}),
      payload: 'device' in payload || !/signup|password-reset$/.test(url) ? payload : { ...payload, device: HUMAN_DEVICE },
    }),
    mailsTo: (address: string) => smtp.mails.filter((m) => m.to.includes(address)).map((m) => ({ ...m, text: decodeMail(m.raw) })),
    async close() {
      await close();
      await smtp.close();
    },
  });
}

/** Lets background mail sends finish, then waits for `count` mails in all. */
export async function mailsSettled(h: SignupHarness, count: number): Promise<void> {
  await h.smtp.waitFor(count);
  await new Promise((r) => setTimeout(r, 150));
}
