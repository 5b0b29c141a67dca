import type { ChangeBus } from '../ports/change-bus.js';
import type { TenantResolver } from './tenants.js';
import type { KeyRing } from './keys.js';
import type { FeedRegistry } from './risk/feed-registry.js';

/**
 * What an instance does when another announces a tenant change: drop the tenant's cached record
 * (policy, captcha settings, origins, domains) and keys, and re-read the feed list. None of it
 * may fail the instance: a failed feed sync is retried by the registry's own timer.
 */
export function followTenantChanges(bus: ChangeBus, local: { tenants: TenantResolver; keys: KeyRing; reputation: Pick<FeedRegistry, 'sync'> }): void {
  bus.subscribe((tenantId) => {
    local.tenants.drop(tenantId);
    local.keys.forget(tenantId);
    void local.reputation.sync().catch(() => {});
  });
}

/**
 * The feed registry as services see it: `sync()` is what a feed change calls after its commit
 * (services/risk/feeds.ts), so here it also tells the other instances to sync. The followers
 * call the registry's own `sync`, so an announcement never echoes back.
 */
export function announcingFeedSync<R extends FeedRegistry>(registry: R, bus: ChangeBus): R {
  return Object.assign(Object.create(registry) as R, {
    async sync() {
      await registry.sync();
      void bus.publish(undefined);
    },
  });
}
