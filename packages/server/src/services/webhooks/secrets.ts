import type { SecretBox } from '../../ports/secret-box.js';
import type { WebhookEndpointRecord } from '../../ports/webhooks.js';
import { randomToken } from '../../ports/ids.js';

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in standard base64 (what receivers' libraries decode). */
export function newWebhookSecret(): string {
  return `whsec_${Buffer.from(randomToken(32), 'base64url').toString('base64')}`;
}

/** The secrets that sign now: the current one, and during a rotation's overlap the previous one too. */
export function liveSecrets(box: SecretBox, endpoint: WebhookEndpointRecord, nowMs: number): string[] {
  const current = box.open(endpoint.secretSealed);
  const previousLive = endpoint.previousSecretSealed !== null && endpoint.previousSecretExpiresAt !== null && Date.parse(endpoint.previousSecretExpiresAt) > nowMs;
  return previousLive ? [current, box.open(endpoint.previousSecretSealed!)] : [current];
}
