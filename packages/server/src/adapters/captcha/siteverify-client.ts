import type { SiteverifyClient } from '../../ports/captcha.js';

/**
 * siteverify over fetch, form-encoded as every provider accepts. Anything but a JSON object from a
 * 2xx answer — a timeout, a refused connection, a 5xx or 429, an HTML page — counts as unreachable:
 * an answer we cannot read is never a pass.
 */
export function createSiteverifyClient(fetchImpl: typeof fetch = fetch, selfOrigin: () => string | undefined = () => undefined): SiteverifyClient {
  return {
    async call(request) {
      // A path is this server's own endpoint (the mounted emulator), reached where it listens now.
      const self = request.url.startsWith('/') ? selfOrigin() : undefined;
      const url = self ? new URL(request.url, self).href : request.url;
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      const form = new URLSearchParams({ secret: request.secret, response: request.token, remoteip: request.remoteIp });
      if (request.provider === 'turnstile') form.set('idempotency_key', request.idempotencyKey);
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          signal: AbortSignal.timeout(request.timeoutMs), redirect: 'error',
        });
      } catch (error) {
        const name = (error as Error)?.name;
        return { kind: 'unreachable', errorClass: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', latencyMs: latency() };
      }
      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel().catch(() => {});
        return { kind: 'unreachable', errorClass: `http_${response.status}`, latencyMs: latency() };
      }
      let body: unknown;
      try {
        body = JSON.parse(await response.text());
      } catch (error) {
        const name = (error as Error)?.name;
        return { kind: 'unreachable', errorClass: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'invalid_json', latencyMs: latency() };
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'unreachable', errorClass: 'invalid_json', latencyMs: latency() };
      return { kind: 'answer', body: body as Record<string, unknown>, latencyMs: latency() };
    },
  };
}
