/** Outgoing mail. Bodies may carry one-time codes, so adapters never log them. */
export interface MailMessage {
  tenantId: string;
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
