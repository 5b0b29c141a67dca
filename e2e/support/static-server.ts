import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml',
};

export interface Route { type: string; body: string | Buffer; headers?: Record<string, string> }

export interface StaticServer { url: string; close(): Promise<void> }

/**
 * A tiny static server on its own loopback origin (another port is another origin): `routes`
 * first (exact paths), then files under `root` (`/` is `index.html`). Nothing else.
 */
export async function startStaticServer(options: { root?: string; routes?: Record<string, Route> }): Promise<StaticServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = options.routes?.[path];
    if (route) {
      res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store', ...route.headers }).end(route.body);
      return;
    }
    if (options.root) {
      const file = normalize(join(options.root, path === '/' ? 'index.html' : decodeURIComponent(path)));
      if (file.startsWith(options.root.endsWith(sep) ? options.root : options.root + sep)) {
        try {
          const body = await readFile(file);
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
          return;
        } catch {
          // fall through to 404
        }
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
