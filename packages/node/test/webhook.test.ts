import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from '../src/index.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const event = { id: 'evt_01JTEST', type: 'user.signed_in', occurred_at: '2026-12-01T10:00:00.000Z', outcome: 'success', data: {} };
const body = JSON.stringify(event);

/** Signs as Portcullis does: Standard Webhooks headers over `id.timestamp.body`. */
function signed(payload: string, at = new Date(), key = secret) {
  return {
    'webhook-id': event.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(event.id, at, payload),
  };
}

const refusal = (fn: () => unknown) => {
  try { fn(); } catch (err) { return err instanceof WebhookVerificationError ? err.message : `not a WebhookVerificationError: ${String(err)}`; }
  return 'accepted';
};

describe('verifyWebhook', () => {
  it('returns the event of a message signed with standardwebhooks, from a string, a Buffer, fetch Headers or node headers', () => {
    const headers = signed(body);
    expect(verifyWebhook(body, headers, secret)).toEqual(event);
    expect(verifyWebhook(Buffer.from(body), new Headers(headers), secret)).toEqual(event);
    expect(verifyWebhook(new TextEncoder().encode(body), { ...headers, 'content-type': 'application/json' }, secret)).toEqual(event);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(body, upper, secret)).toEqual(event);
  });

  it('accepts either signature during a secret rotation (both secrets sign for 24 h)', () => {
    const next = `whsec_${randomBytes(24).toString('base64')}`;
    const headers = signed(body);
    const both = { ...headers, 'webhook-signature': `${signed(body, new Date(), next)['webhook-signature']} ${headers['webhook-signature']}` };
    expect(verifyWebhook(body, both, secret)).toEqual(event);
    expect(verifyWebhook(body, both, next)).toEqual(event);
  });

  it('refuses a tampered body, another secret, a re-signed id, and missing or doubled headers', () => {
    const headers = signed(body);
    expect(refusal(() => verifyWebhook(body.replace('success', 'failure'), headers, secret))).toBe('No matching signature found');
    expect(refusal(() => verifyWebhook(body, headers, `whsec_${randomBytes(24).toString('base64')}`))).toBe('No matching signature found');
    expect(refusal(() => verifyWebhook(body, { ...headers, 'webhook-id': 'evt_other' }, secret))).toBe('No matching signature found');
    expect(refusal(() => verifyWebhook(body, { 'webhook-id': event.id, 'webhook-timestamp': headers['webhook-timestamp'] }, secret))).toBe('Missing required headers');
    expect(refusal(() => verifyWebhook(body, { ...headers, 'webhook-signature': [headers['webhook-signature'], 'v1,x'] }, secret))).toBe('Missing required headers');
  });

  it('refuses a message older or newer than 5 minutes (a captured delivery replayed later)', () => {
    const now = Date.now();
    expect(verifyWebhook(body, signed(body, new Date(now - 290_000)), secret)).toEqual(event);
    expect(refusal(() => verifyWebhook(body, signed(body, new Date(now - 310_000)), secret))).toBe('Message timestamp too old');
    expect(refusal(() => verifyWebhook(body, signed(body, new Date(now + 310_000)), secret))).toBe('Message timestamp too new');
  });
});
