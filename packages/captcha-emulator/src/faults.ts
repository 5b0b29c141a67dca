import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROVIDERS, type OutageMode, type Provider } from './types.js';

/** Per-provider outage settings and siteverify call counters. */
export interface Faults {
  setMode(mode: OutageMode, provider?: Provider): void;
  mode(provider: Provider): OutageMode;
  setLatency(ms: number, provider?: Provider): void;
  latency(provider: Provider): number;
  /** Counts one siteverify request received (whatever its fate). */
  count(provider: Provider): void;
  calls(provider?: Provider): number;
  /** Back to `ok`, no latency, zero counts. */
  reset(): void;
  /** Sockets held open by `hang`; destroyed when the app closes so shutdown never waits on them. */
  readonly hung: Set<Socket>;
}

/** Creates fault state; without a provider, a setting applies to all three. */
export function createFaults(): Faults {
  const modes = new Map<Provider, OutageMode>();
  const latencies = new Map<Provider, number>();
  const counts = new Map<Provider, number>();
  const targets = (provider?: Provider): readonly Provider[] => (provider ? [provider] : PROVIDERS);
  return {
    hung: new Set(),
    setMode(mode, provider) { for (const p of targets(provider)) modes.set(p, mode); },
    mode: (provider) => modes.get(provider) ?? 'ok',
    setLatency(ms, provider) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('latency must be a non-negative number of milliseconds');
      for (const p of targets(provider)) latencies.set(p, ms);
    },
    latency: (provider) => latencies.get(provider) ?? 0,
    count(provider) { counts.set(provider, (counts.get(provider) ?? 0) + 1); },
    calls: (provider) => targets(provider).reduce((sum, p) => sum + (counts.get(p) ?? 0), 0),
    reset() { modes.clear(); latencies.clear(); counts.clear(); },
  };
}

const HTML_PAGE = '<!DOCTYPE html><html><head><title>Just a moment...</title></head>'
  + '<body><h1>Please wait while we check your connection</h1></body></html>';

/**
 * Sends the faulty answer of `mode` (anything but `ok`). Bodies imitate what sits in front of
 * real providers when things break: CDN error pages, a rate limiter, a captive portal, a proxy
 * that rewrites JSON. None of them touches token state, as the provider never saw the token.
 */
export function sendFault(mode: Exclude<OutageMode, 'ok'>, request: FastifyRequest, reply: FastifyReply, faults: Faults): void {
  const json = (body: string): void => { reply.code(200).type('application/json; charset=utf-8').send(body); };
  switch (mode) {
    case 'refuse':
      reply.hijack();
      request.raw.socket.destroy();
      return;
    case 'hang': {
      reply.hijack();
      const socket = request.raw.socket;
      faults.hung.add(socket);
      socket.once('close', () => faults.hung.delete(socket));
      return;
    }
    case 'http500':
      reply.code(500).type('text/plain; charset=utf-8').send('error code: 500');
      return;
    case 'http429':
      // 1015 is Cloudflare's "you are being rate limited" page code.
      reply.code(429).header('retry-after', '1').type('text/plain; charset=utf-8').send('error code: 1015');
      return;
    case 'html':
      reply.code(200).type('text/html; charset=utf-8').send(HTML_PAGE);
      return;
    case 'invalid_json':
      json('{"success": true, "error-co');
      return;
    case 'empty_object':
      json('{}');
      return;
    case 'success_string':
      json(JSON.stringify({ success: 'true', 'error-codes': [], challenge_ts: new Date().toISOString(), hostname: 'localhost' }));
      return;
    case 'internal_error':
      json('{"success":false,"error-codes":["internal-error"]}');
      return;
  }
}
