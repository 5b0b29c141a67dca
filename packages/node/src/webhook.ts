import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

/** Header shapes a server hands over: node's `IncomingHttpHeaders`, a fetch `Headers`, or a plain record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function pick(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const lower = headers instanceof Headers ? undefined : Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of NAMES) {
    const value = headers instanceof Headers ? headers.get(name) : lower![name];
    // A header sent twice is not one signature we can check: refuse it rather than pick one.
    if (typeof value !== 'string') throw new WebhookVerificationError('Missing required headers');
    out[name] = value;
  }
  return out;
}

/**
 * Checks a Portcullis webhook (Standard Webhooks: HMAC-SHA256 of `id.timestamp.body` under the
 * `whsec_` secret, timestamp within 5 minutes either way, so a captured delivery cannot be replayed
 * later) and returns the audit event it carries. `rawBody` must be the bytes as received: a body
 * parsed and re-serialised will not match. Throws `WebhookVerificationError`.
 */
export function verifyWebhook<T = Record<string, unknown>>(rawBody: string | Buffer | Uint8Array, headers: WebhookHeaders, secret: string): T {
  const body = typeof rawBody === 'string' || Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
  return new Webhook(secret).verify(body, pick(headers)) as T;
}
