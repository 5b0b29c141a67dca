import type { WebhookSender } from '../../ports/webhooks.js';
import { createGuardedFetch, type GuardOptions } from './guarded-fetch.js';

/**
 * Webhook POSTs through the SSRF guard: the resolved address is judged at connect time on every
 * send (DNS rebinding), redirects are not followed (a 3xx is a failed attempt), and the
 * receiver's answer is never read: only its status counts, so a huge or endless body costs
 * nothing. The timeout covers connecting and the status line.
 */
export function createWebhookSender(options: Omit<GuardOptions, 'maxRedirects' | 'allowHosts'> = {}): WebhookSender {
  const guarded = createGuardedFetch({ ...options, maxRedirects: 0 });
  return async (url, { headers, body, timeoutMs }) => {
    const response = await guarded(url, {
      method: 'POST', body, signal: AbortSignal.timeout(timeoutMs),
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Portcullis-Webhooks/1' },
    });
    await response.body?.cancel().catch(() => {});
    return { status: response.status };
  };
}
