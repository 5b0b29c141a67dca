import type { FastifyInstance } from 'fastify';

/**
 * DESIGN §12: an answer sent before the body was read (413, 415, 400, 401) must reach a client
 * that is still sending. Closing at once makes the client's next write fail (EPIPE, "fetch
 * failed") and the answer is lost with the connection. So the rest of the body is read and
 * discarded, up to `limit` bytes; past it (a client streaming without end) the connection is cut.
 */
export function registerEarlyAnswer(app: FastifyInstance, limit: number): void {
  app.addHook('onResponse', async (request) => {
    const raw = request.raw;
    if (raw.complete || raw.socket.destroyed) return;
    let discarded = 0;
    raw.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limit) raw.socket.destroy();
    });
    raw.resume();
  });
}
