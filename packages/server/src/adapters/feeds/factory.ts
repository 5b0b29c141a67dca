import type { FeedSetFactory } from '../../ports/feeds.js';
import { createGuardedFetch, type GuardOptions } from '../net/guarded-fetch.js';
import { createFeedSet } from './feed-set.js';

/**
 * The feed sets `compose.ts` hands to the feed registry. Tenant feeds are fetched through a
 * guard with no exceptions; platform feeds may also reach the hosts the operator allowed
 * (`PORTCULLIS_FEED_ALLOW_HOSTS`), since only the operator writes them.
 */
export function createFeedSetFactory(options: GuardOptions = {}): FeedSetFactory {
  const { allowHosts = [], ...rest } = options;
  const tenantFetch = createGuardedFetch(rest);
  const platformFetch = createGuardedFetch({ ...rest, allowHosts });
  return (definitions, hooks) => createFeedSet(definitions, { ...hooks, fetch: hooks.scope === 'tenant' ? tenantFetch : platformFetch });
}
