import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are credentials wherever they appear. */
const SECRET_PARAM = /secret|token|password|passwd|code|assertion|api[_-]?key|signature|sig$|otp/i;

/**
 * A URL fit for a log line. On OAuth endpoints the query string is dropped whole (a client that
 * puts `client_secret` in the URL is refused, but the URL must not carry the secret into the log);
 * elsewhere the values of secret-looking parameters are replaced.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  if (/(^|\/)oauth2(\/|$)/.test(path)) return `${path}?[redacted]`;
  const kept = [...new URLSearchParams(url.slice(q + 1))].map(([key, value]) =>
    `${encodeURIComponent(key)}=${SECRET_PARAM.test(key) ? '[redacted]' : encodeURIComponent(value)}`);
  return `${path}?${kept.join('&')}`;
}

/** pino `req` serializer: what Fastify logs by default, with the URL made safe. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method, url: loggableUrl(request.url), version: request.headers['accept-version'],
    host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort,
  };
}
