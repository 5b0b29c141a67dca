import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseChangeMessage, type ChangeBus, type ChangeHandler } from '../../ports/change-bus.js';

export interface RedisChangeBusOptions {
  url: string;
  /** Default `portcullis:tenant-changes`; deployments sharing one Redis may set their own. */
  channel?: string;
  /** Told of connection errors; messages name host and port only. */
  onError?: (error: Error) => void;
}

const BACKOFF_CAP_MS = 2000;

/**
 * Redis pub/sub. A subscribed connection can do nothing else, so there are two: one publishes
 * (bounded waits: a Redis that is down costs an announcement, never a request) and one listens,
 * reconnecting with a capped backoff and re-subscribing on its own (ioredis `autoResubscribe`).
 */
export function createRedisChangeBus(options: RedisChangeBusOptions): ChangeBus {
  const channel = options.channel ?? 'portcullis:tenant-changes';
  const instance = randomUUID();
  const common = {
    connectTimeout: 1000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 10), BACKOFF_CAP_MS),
  };
  const onError = (error: Error) => options.onError?.(error);
  const publisher = new Redis(options.url, { ...common, lazyConnect: true, maxRetriesPerRequest: 0, commandTimeout: 500, connectionName: 'portcullis-changes-pub' });
  publisher.on('error', onError);
  let subscriber: Redis | undefined;
  const handlers: ChangeHandler[] = [];
  const pending = new Set<Promise<unknown>>();

  function deliver(tenantId: string | undefined): void {
    for (const handler of handlers) {
      try { handler(tenantId); } catch { /* a subscriber's bug must not stop the others */ }
    }
  }

  function listen(): void {
    const sub = new Redis(options.url, { ...common, maxRetriesPerRequest: null, connectionName: 'portcullis-changes-sub' });
    subscriber = sub;
    sub.on('error', onError);
    let connectedOnce = false;
    sub.on('ready', () => {
      // Messages sent while this connection was down are lost: after a reconnect, anything may have changed.
      if (connectedOnce) deliver(undefined);
      connectedOnce = true;
    });
    sub.on('message', (_channel: string, text: string) => {
      const message = parseChangeMessage(text);
      if (message && message.from !== instance) deliver(message.tenant ?? undefined);
    });
    sub.subscribe(channel).catch(onError);
  }

  return {
    publish(tenantId) {
      const sent = publisher.publish(channel, JSON.stringify({ from: instance, tenant: tenantId ?? null }))
        .then(() => undefined, (error: Error) => onError(error));
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
      return sent;
    },
    subscribe(handler) {
      handlers.push(handler);
      if (!subscriber) listen();
    },
    async close() {
      await Promise.allSettled([...pending]);
      for (const client of [publisher, subscriber]) {
        if (!client) continue;
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }
    },
  };
}
