import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A self-signed certificate for `feeds.test`, `inner.test`, `localhost`, 127.0.0.1 and ::1,
 * valid until 2126; tests pass it as the CA so that an https feed can be served on loopback.
 */
export const TEST_CA = readFileSync(new URL('./tls/cert.pem', import.meta.url));
const KEY = readFileSync(new URL('./tls/key.pem', import.meta.url));

export interface HttpsFeedServer {
  readonly port: number;
  /** TCP connections accepted so far: a refused fetch must leave this at zero. */
  readonly connections: () => number;
  /** Request paths seen, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves `routes` over https on 127.0.0.1 (a route answers a body, or a redirect as `{ redirect }`). */
export async function startHttpsFeedServer(routes: Record<string, string | { redirect: string }>): Promise<HttpsFeedServer> {
  let connections = 0;
  const requests: string[] = [];
  const server = createServer({ key: KEY, cert: TEST_CA }, (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route === undefined) res.writeHead(404).end('not found');
    else if (typeof route === 'string') res.writeHead(200, { 'content-type': 'text/plain' }).end(route);
    else res.writeHead(302, { location: route.redirect }).end();
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A resolver that answers from a table, as a hostile DNS server might; unknown names fail like NXDOMAIN. */
export function tableResolver(table: Record<string, readonly string[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
}
