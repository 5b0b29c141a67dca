import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the key is the base64 part of the
 * `whsec_` secret, the signed content `id.timestamp.body`. Binding the id and timestamp stops a
 * captured body from being replayed under another id or long after.
 */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

/** The `webhook-signature` header: one signature per live secret, space-separated (rotation overlap). */
export function signatureHeader(secrets: readonly string[], id: string, timestampS: number, body: string): string {
  return secrets.map((s) => signWebhook(s, id, timestampS, body)).join(' ');
}
