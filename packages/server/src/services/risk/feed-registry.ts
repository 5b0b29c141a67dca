import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/clock.js';
import type { IpReputation } from '../deps.js';
import type { AuditWriter } from '../audit.js';
import type { IpHit } from '../../domain/risk/signals.js';
import type { FeedHit } from '../../adapters/feeds/threat-feed.js';
import { createFeedSet, type FeedDefinition, type FeedSet, type FeedStatus } from '../../adapters/feeds/feed-set.js';

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

export function createFeedRegistry(deps: { store: Store; clock: Clock; auditWriter: AuditWriter; log?: (msg: string, data: object) => void }, platform: readonly FeedDefinition[]): FeedRegistry {
  const failed = (tenantIds: () => Promise<string[]>) => (feed: string, error: Error, consecutive: number) => {
    deps.log?.('threat feed refresh failed', { feed, consecutive, error: error.message });
    void tenantIds().then((ids) => Promise.all(ids.map((tenantId) => deps.auditWriter.record({ tenantId }, {
      type: 'security.threat_feed_fetch_failed', outcome: 'failure', actor: { kind: 'system', id: null },
      target: { kind: 'threat_feed', id: feed }, data: { feed, consecutive_failures: consecutive, error: error.message.slice(0, 200) },
    })))).catch(() => {});
  };
  const allTenants = async () => (await deps.store.tenants.list()).map((t) => t.id);
  const platformSet = createFeedSet(platform, { clock: deps.clock, onFetchFailed: failed(allTenants) });
  const tenants = new Map<string, { set: FeedSet; ids: Map<string, string> }>();
  let timer: NodeJS.Timeout | undefined;

  function tenantSet(tenantId: string) {
    let entry = tenants.get(tenantId);
    if (!entry) {
      entry = { set: createFeedSet([], { clock: deps.clock, onFetchFailed: failed(async () => [tenantId]) }), ids: new Map() };
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
