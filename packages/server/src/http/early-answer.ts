import type { FastifyInstance } from 'fastify';

/**
 * DESIGN §12: an answer sent before the body was read (413, 415, 400, 401) must reach a client
 * that is still sending. Fastify marks such answers `Connection: close`, and Node then destroys
 * the socket as soon as the answer is written: the client's next write meets a reset (EPIPE,
 * "fetch failed") and the answer is often lost with it. So the connection is kept, the rest of
 * the body is read and discarded up to `limit` bytes, and only a client that keeps sending past
 * the bound (a body without end) is cut off.
 */
/** How often a discarding connection is checked against the bound. */
const WATCH_MS = 20;

export function registerEarlyAnswer(app: FastifyInstance, limit: number): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete && String(reply.getHeader('connection')).toLowerCase() === 'close') reply.removeHeader('connection');
    return payload;
  });
  app.addHook('onResponse', async (request) => {
    const raw = request.raw;
    const socket = raw.socket;
    if (raw.complete || socket.destroyed) return;
    // Node discards the rest of an unread body by itself (without 'data' events); what it has
    // read shows in bytesRead, watched until the body is complete or the bound is passed.
    const start = socket.bytesRead;
    const watch = setInterval(() => {
      if (raw.complete || socket.destroyed) clearInterval(watch);
      else if (socket.bytesRead - start > limit) {
        clearInterval(watch);
        socket.destroy();
      }
    }, WATCH_MS);
    watch.unref();
    socket.once('close', () => clearInterval(watch));
    raw.resume();
  });
}
