import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { parseChangeMessage, type ChangeBus, type ChangeHandler } from '../../ports/change-bus.js';

export interface PgChangeBusOptions {
  url: string;
  /** Default `portcullis_tenant_changes`. NOTIFY channels are per database, not per schema. */
  channel?: string;
  onError?: (error: Error) => void;
}

const BACKOFF_CAP_MS = 5000;

/**
 * PostgreSQL LISTEN/NOTIFY for deployments without Redis. A dedicated client (not a pool's: a
 * pooled connection is handed to others and its LISTEN with it) listens and also sends
 * `pg_notify`; when it drops, it reconnects with a capped backoff and tells the handlers that
 * anything may have changed. While it is down, announcements are lost, never queued.
 */
export function createPgChangeBus(options: PgChangeBusOptions): ChangeBus {
  const channel = options.channel ?? 'portcullis_tenant_changes';
  const instance = randomUUID();
  const onError = (error: Error) => options.onError?.(error);
  const handlers: ChangeHandler[] = [];
  const pending = new Set<Promise<unknown>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client | undefined> | undefined;
  let attempts = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function deliver(tenantId: string | undefined): void {
    for (const handler of handlers) {
      try { handler(tenantId); } catch { /* a subscriber's bug must not stop the others */ }
    }
  }

  function retry(): void {
    if (closed || timer) return;
    attempts += 1;
    timer = setTimeout(() => { timer = undefined; void connect(); }, Math.min(100 * 2 ** Math.min(attempts, 10), BACKOFF_CAP_MS));
    timer.unref();
  }

  function connect(): Promise<pg.Client | undefined> {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 2000, query_timeout: 2000, keepAlive: true });
      const lost = (error?: Error) => {
        if (error) onError(error);
        if (client === next) client = undefined;
        next.removeAllListeners('notification');
        void next.end().catch(() => {});
        retry();
      };
      next.on('error', lost);
      next.on('end', () => lost());
      next.on('notification', (n) => {
        const message = n.channel === channel && n.payload ? parseChangeMessage(n.payload) : undefined;
        if (message && message.from !== instance) deliver(message.tenant ?? undefined);
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (error) {
        next.removeAllListeners('end');
        lost(error as Error);
        return undefined;
      }
      if (closed) { await next.end().catch(() => {}); return undefined; }
      if (attempts > 0) deliver(undefined);
      attempts = 0;
      client = next;
      return next;
    })().finally(() => { connecting = undefined; });
    return connecting;
  }

  return {
    publish(tenantId) {
      const sent = (async () => {
        const c = client ?? await connect();
        if (!c) return;
        await c.query('select pg_notify($1, $2)', [channel, JSON.stringify({ from: instance, tenant: tenantId ?? null })]);
      })().catch((error: Error) => onError(error));
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
      return sent;
    },
    subscribe(handler) {
      handlers.push(handler);
      void connect();
    },
    async close() {
      await Promise.allSettled([...pending]);
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) { c.removeAllListeners('end'); await c.end().catch(() => {}); }
    },
  };
}
