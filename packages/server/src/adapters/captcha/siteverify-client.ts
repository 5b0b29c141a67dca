import type { SiteverifyClient } from '../../ports/captcha.js';
import { createPooledTransport, type SiteverifyTransport } from './siteverify-transport.js';

/**
 * siteverify, form-encoded as every provider accepts. Anything but a JSON object from a 2xx
 * answer — a timeout, a refused connection, a redirect, a 5xx or 429, an HTML page — counts as
 * unreachable: an answer we cannot read is never a pass.
 */
export function createSiteverifyClient(transport: SiteverifyTransport = createPooledTransport(), selfOrigin: () => string | undefined = () => undefined): SiteverifyClient {
  return {
    async call(request) {
      // A path is this server's own endpoint (the mounted emulator), reached where it listens now.
      const self = request.url.startsWith('/') ? selfOrigin() : undefined;
      const url = self ? new URL(request.url, self).href : request.url;
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      const form = new URLSearchParams({ secret: request.secret, response: request.token, remoteip: request.remoteIp });
      if (request.provider === 'turnstile') form.set('idempotency_key', request.idempotencyKey);
      let answer;
      try {
        answer = await transport(url, form.toString(), request.timeoutMs);
      } catch (error) {
        const name = (error as Error)?.name;
        return { kind: 'unreachable', errorClass: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', latencyMs: latency() };
      }
      if (answer.status === 429 || answer.status >= 500) return { kind: 'unreachable', errorClass: `http_${answer.status}`, latencyMs: latency() };
      // Redirects are not followed (a provider never sends one; following it would send the secret on).
      if (answer.status >= 300 && answer.status < 400) return { kind: 'unreachable', errorClass: 'network', latencyMs: latency() };
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        return { kind: 'unreachable', errorClass: 'invalid_json', latencyMs: latency() };
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'unreachable', errorClass: 'invalid_json', latencyMs: latency() };
      return { kind: 'answer', body: body as Record<string, unknown>, latencyMs: latency() };
    },
  };
}
