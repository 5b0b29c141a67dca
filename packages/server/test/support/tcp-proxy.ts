import net from 'node:net';

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TcpProxy {
  port: number;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Connections stay open but nothing is forwarded any more: a hung or partitioned server. */
  silence(): void;
  /** Ends a silence: the half-delivered connections are cut, new ones flow again. */
  unsilence(): void;
}

/** A TCP forwarder to `target`: `close()` refuses new connections and cuts the open ones, `open()` comes back on the same port. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let silent = false;
  const port = await freePort();
  const proxy: TcpProxy = {
    port,
    async open() {
      silent = false;
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
        }
        client.on('data', (chunk) => { if (!silent) upstream.write(chunk); });
        upstream.on('data', (chunk) => { if (!silent) client.write(chunk); });
      });
      await new Promise<void>((resolve, reject) => { server!.once('error', reject); server!.listen(port, '127.0.0.1', resolve); });
    },
    async close() {
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    silence: () => { silent = true; },
    unsilence: () => {
      for (const socket of sockets) socket.destroy();
      silent = false;
    },
  };
  await proxy.open();
  return proxy;
}
