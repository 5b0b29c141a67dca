import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { headers: Record<string, string>; body: string }

/** A webhook receiver on loopback: records each request, answers what `answer` says (status, or a delay first). */
export async function startReceiver(answer: (n: number) => number | { status: number; delayMs: number } = () => 204) {
  const received: Received[] = [];
  const open = new Set<http.ServerResponse>();
  // Requests in flight per webhook-id: more than one at a time means two senders held one delivery.
  const inFlight = new Map<string, number>();
  const stats = { maxConcurrentPerId: 0 };
  const server = http.createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    stats.maxConcurrentPerId = Math.max(stats.maxConcurrentPerId, inFlight.get(id)!);
    res.on('close', () => inFlight.set(id, inFlight.get(id)! - 1));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      const a = answer(received.length);
      const { status, delayMs } = typeof a === 'number' ? { status: a, delayMs: 0 } : a;
      open.add(res);
      const timer = setTimeout(() => { open.delete(res); res.writeHead(status).end(); }, delayMs);
      res.on('close', () => { clearTimeout(timer); open.delete(res); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    stats,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
