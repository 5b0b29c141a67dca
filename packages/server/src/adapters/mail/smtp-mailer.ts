import nodemailer from 'nodemailer';
import type { Mailer } from '../../ports/mailer.js';

/** SMTP through nodemailer (`PORTCULLIS_SMTP_URL`, e.g. `smtp://user:pass@mail.example:587`). */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url, { from });
  return {
    async send(m) {
      await transport.sendMail({ to: m.to, subject: m.subject, text: m.text });
    },
    close: async () => { transport.close(); },
  };
}
