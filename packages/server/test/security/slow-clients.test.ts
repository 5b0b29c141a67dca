import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createHarness, type Harness } from '../support/harness.js';

async function listen(h: Harness): Promise<number> {
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return (h.app.server.address() as AddressInfo).port;
}

/** Trickles `bytes` one a second after `head`; resolves with what the server said and when it hung up. */
function trickle(port: number, head: string, bytes: string): Promise<{ answer: string; closedAfterMs: number; sent: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('error', () => {});
    socket.write(head);
    const timer = setInterval(() => {
      if (sent < bytes.length && socket.writable) socket.write(bytes[sent++]!);
    }, 1000);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - started, sent });
    });
    setTimeout(() => socket.destroy(), 15_000);
  });
}

// Issue 9 #5: requestTimeout was 0, so a login sending one byte a second stayed open indefinitely.
describe('slow clients are cut off', () => {
  let h: Harness;
  let port = 0;
  beforeAll(async () => {
    h = await createHarness({ env: { PORTCULLIS_HEADERS_TIMEOUT_MS: '1000', PORTCULLIS_REQUEST_TIMEOUT_MS: '2000' } });
    port = await listen(h);
  });
  afterAll(() => h.close());

  it('a body sent one byte a second gets 408 request_timeout and the connection closed within the bound', async () => {
    const body = JSON.stringify({ email: 'slow@example.com', password: 'one byte at a time' });
    const head = `POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nX-Tenant: acme\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { answer, closedAfterMs, sent } = await trickle(port, head, body);
    expect(closedAfterMs).toBeLessThan(2000 + 1000 + 1500); // the bound, the check interval, slack
    expect(sent).toBeLessThan(body.length);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(json).toEqual({ error: 'request_timeout', message: 'The request took too long to arrive.', request_id: expect.stringMatching(/^req_/) });
  });

  it('headers sent one byte a second are cut off at the headers timeout', async () => {
    const { answer, closedAfterMs } = await trickle(port, 'GET /healthz HTTP/1.1\r\n', 'Host: localhost\r\nX-Slow: aaaaaaaaaaaaaaaa\r\n\r\n');
    expect(closedAfterMs).toBeLessThan(1000 + 1000 + 1500);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

// Issue 9 #12 and DESIGN §12: an early 413 must reach a keep-alive client that is still sending.
describe('an early answer to a client still sending its body', () => {
  let h: Harness;
  let port = 0;
  const DISCARD = 4 * 1024 * 1024;
  beforeAll(async () => {
    h = await createHarness({ env: { PORTCULLIS_BODY_DISCARD_LIMIT: String(DISCARD) } });
    port = await listen(h);
  });
  afterAll(() => h.close());

  it('reaches a keep-alive client sending three 2 MiB bodies in a row, on one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const { status, body, reused } = await new Promise<{ status: number; body: string; reused: boolean }>((resolve, reject) => {
          const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/v1/auth/login', agent, headers: { 'x-tenant': 'acme', 'content-type': 'application/json', 'content-length': String(32 * chunk.length) } }, (res) => {
            let text = '';
            res.on('data', (c) => { text += c; });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket }));
          });
          req.on('error', reject);
          let sent = 0;
          const pump = () => {
            while (sent < 32) {
              sent++;
              if (!req.write(chunk)) { req.once('drain', pump); return; }
            }
            req.end();
          };
          pump();
        });
        expect(status, `attempt ${attempt}`).toBe(413);
        expect(JSON.parse(body)).toEqual({ error: 'payload_too_large', message: 'The request body is too large.', request_id: expect.stringMatching(/^req_/) });
        if (attempt > 0) expect(reused, `attempt ${attempt} reused the connection`).toBe(true);
      }
    } finally {
      agent.destroy();
    }
  });

  it('reads no more than the discard bound of an endless body, then closes the connection', async () => {
    const declared = 1024 * 1024 * 1024;
    const result = await new Promise<{ answer: string; written: number }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let answer = '';
      let written = 0;
      let closed = false;
      socket.on('data', (c) => { answer += c; });
      socket.on('error', () => {});
      socket.on('close', () => { closed = true; resolve({ answer, written }); });
      socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nX-Tenant: acme\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
      const pump = () => {
        while (!closed && written < declared) {
          written += chunk.length;
          if (!socket.write(chunk)) { socket.once('drain', pump); return; }
        }
      };
      pump();
      setTimeout(() => socket.destroy(), 20_000);
    });
    expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(result.answer).toContain('"error":"payload_too_large"');
    // Closed long before the declared 1 GiB arrived: the bound, plus what arrives between two checks and socket buffers.
    expect(result.written).toBeLessThan(64 * 1024 * 1024);
  });
});
