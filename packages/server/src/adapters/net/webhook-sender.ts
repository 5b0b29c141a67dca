import type { WebhookSender } from '../../ports/webhooks.js';
import { createGuardedFetch, type GuardOptions } from './guarded-fetch.js';

/**
 * Webhook POSTs through the SSRF guard: the resolved address is judged when each connection is
 * opened, on the address the socket connects to (DNS rebinding; a reused connection stays there), redirects are not followed (a 3xx is a failed attempt), and of the
 * receiver's answer only the status counts: at most 64 KiB of body are read and dropped (so the
 * connection is reused), a huge or endless one is cut off. The timeout covers connecting and the status line.
 */
export function createWebhookSender(options: Omit<GuardOptions, 'maxRedirects' | 'allowHosts'> = {}): WebhookSender {
  const guarded = createGuardedFetch({ ...options, maxRedirects: 0, keepAlive: true });
  return async (url, { headers, body, timeoutMs }) => {
    const response = await guarded(url, {
      method: 'POST', body, signal: AbortSignal.timeout(timeoutMs),
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Portcullis-Webhooks/1' },
    });
    await discard(response.body);
    return { status: response.status };
  };
}

/** What an answer may cost us: enough for an "ok" or a small JSON body, never a download. */
const DRAIN_BYTES = 64 * 1024;
const DRAIN_MS = 1000;

/**
 * Reads and drops a small answer so its keep-alive connection carries the next delivery; a large
 * or slow one is cut off (the socket is closed) and never held in memory. Only the status counts.
 */
async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  const cut = () => { reader.cancel().catch(() => {}); };
  const timer = setTimeout(cut, DRAIN_MS);
  try {
    for (let bytes = 0; ;) {
      const { done, value } = await reader.read();
      if (done) return;
      bytes += value.byteLength;
      if (bytes > DRAIN_BYTES) return cut();
    }
  } catch {
    // The answer broke off: nothing to drop, and the status is already known.
  } finally {
    clearTimeout(timer);
  }
}
