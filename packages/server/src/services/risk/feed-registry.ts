import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/clock.js';
import type { IpReputation } from '../deps.js';
import type { AuditWriter } from '../audit.js';
import type { IpHit } from '../../domain/risk/signals.js';
import type { FeedDefinition, FeedHit, FeedLog, FeedSet, FeedSetFactory, FeedStatus } from '../../ports/feeds.js';

/** Platform-wide feeds and each tenant's own, kept in step with the database on every instance. */
export interface FeedRegistry extends IpReputation {
  start(): Promise<void>;
  /** Re-reads the tenant feed list (another instance may have added or removed one). */
  sync(): Promise<void>;
  status(tenantId: string): FeedStatus[];
  close(): void;
}

const SYNC_MS = 30_000;

function toIpHits(hits: readonly FeedHit[], out: IpHit[]): void {
  for (const h of hits) out.push(h.weight === null ? { feed: h.feed, category: h.category } : { feed: h.feed, category: h.category, weight: h.weight });
}

/** What the registry needs; `createFeedSet` is the adapter, picked in `compose.ts`. */
export interface FeedRegistryDeps {
  store: Store;
  clock: Clock;
  auditWriter: AuditWriter;
  createFeedSet: FeedSetFactory;
  log?: FeedLog;
}

/** Tags every line of a tenant's feed set with the tenant, so an operator can tell whose feed failed. */
function tenantLog(log: FeedLog | undefined, tenantId: string): FeedLog | undefined {
  return log && { info: (data, message) => log.info({ tenant_id: tenantId, ...data }, message), warn: (data, message) => log.warn({ tenant_id: tenantId, ...data }, message) };
}

export function createFeedRegistry(deps: FeedRegistryDeps, platform: readonly FeedDefinition[]): FeedRegistry {
  // Each failed load is logged by the feed set itself; from the third in a row it is audited too.
  const failed = (tenantIds: () => Promise<string[]>) => (feed: string, error: Error, consecutive: number) => {
    void tenantIds().then((ids) => Promise.all(ids.map((tenantId) => deps.auditWriter.record({ tenantId }, {
      type: 'security.threat_feed_fetch_failed', outcome: 'failure', actor: { kind: 'system', id: null },
      target: { kind: 'threat_feed', id: feed }, data: { feed, consecutive_failures: consecutive, error: error.message.slice(0, 200) },
    })))).catch(() => {});
  };
  const allTenants = async () => (await deps.store.tenants.list()).map((t) => t.id);
  const platformSet = deps.createFeedSet(platform, { scope: 'platform', clock: deps.clock, onFetchFailed: failed(allTenants), log: deps.log });
  const tenants = new Map<string, { set: FeedSet; ids: Map<string, string> }>();
  let timer: NodeJS.Timeout | undefined;

  function tenantSet(tenantId: string) {
    let entry = tenants.get(tenantId);
    if (!entry) {
      const hooks = { scope: 'tenant', clock: deps.clock, onFetchFailed: failed(async () => [tenantId]), log: tenantLog(deps.log, tenantId) } as const;
      entry = { set: deps.createFeedSet([], hooks), ids: new Map() };
      tenants.set(tenantId, entry);
    }
    return entry;
  }

  async function sync(): Promise<void> {
    const rows = await deps.store.feeds.list(undefined);
    const wanted = new Set(rows.map((r) => `${r.tenantId}/${r.id}`));
    for (const [tenantId, entry] of tenants) {
      for (const [id, name] of entry.ids) if (!wanted.has(`${tenantId}/${id}`)) { entry.set.remove(name); entry.ids.delete(id); }
    }
    await Promise.all(rows.map(async (row) => {
      const entry = tenantSet(row.tenantId);
      if (entry.ids.has(row.id)) return;
      entry.ids.set(row.id, row.name);
      await entry.set.add({ ...(row.definition as unknown as FeedDefinition), name: row.name });
    }));
  }

  return {
    lookup(tenantId, ip) {
      const out: IpHit[] = [];
      toIpHits(platformSet.lookup(ip), out);
      const own = tenants.get(tenantId);
      if (own) toIpHits(own.set.lookup(ip), out);
      return out;
    },
    async start() {
      await platformSet.start();
      await sync();
      timer = setInterval(() => void sync().catch(() => {}), SYNC_MS);
      timer.unref();
    },
    sync,
    status(tenantId) {
      return [...platformSet.status(), ...(tenants.get(tenantId)?.set.status() ?? [])];
    },
    close() {
      if (timer) clearInterval(timer);
      platformSet.close();
      for (const entry of tenants.values()) entry.set.close();
    },
  };
}
