import { resolve, sep } from 'node:path';
import { PortcullisError, type CreateFeedBody, type FeedView } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { Principal, RequestContext } from '../context.js';
import type { FeedRecord } from '../../ports/store.js';
import type { FeedStatus } from '../../ports/feeds.js';
import { newId } from '../../ports/ids.js';
import { isoTime } from '../context.js';
import { recordEvent } from '../audit.js';
import { literalHostProblem } from '../../domain/ip/public-address.js';

const invalid = (path: string, message: string) => new PortcullisError('invalid_request', { details: { fields: [{ path, message }] } });

/** Tenant feeds read files only inside the feed directory: one tenant's admin must not read the server's files. */
function feedDir(deps: Deps): string {
  return resolve(deps.config.PORTCULLIS_FEED_DIR ?? resolve(deps.config.PORTCULLIS_DATA_DIR, 'feeds'));
}

function view(record: FeedRecord, status: FeedStatus | undefined): FeedView {
  const d = record.definition as unknown as CreateFeedBody;
  return {
    id: record.id, name: record.name, category: d.category, weight: d.weight ?? null, format: d.format,
    source: d.source as Record<string, string>, refresh_s: d.refresh_s ?? null, scope: 'tenant',
    status: {
      loaded: status?.loaded ?? false, entries: status?.entries ?? 0, loaded_at: status?.loadedAt ? isoTime(status.loadedAt) : null,
      consecutive_failures: status?.consecutiveFailures ?? 0, last_error: status?.lastError ?? null,
    },
  };
}

function urlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an https URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  return literalHostProblem(url);
}

export async function listFeeds(deps: Deps, ctx: RequestContext): Promise<FeedView[]> {
  const status = new Map(deps.reputation.status(ctx.tenant.id).map((s) => [s.name, s]));
  return (await deps.store.feeds.list(ctx.tenant.id)).map((r) => view(r, status.get(r.name)));
}

/** Adds a tenant feed and loads it on this instance; the others pick it up on their next sync. */
export async function createFeed(deps: Deps, ctx: RequestContext, actor: Principal, body: CreateFeedBody): Promise<FeedView> {
  let source = body.source;
  if ('path' in source) {
    const dir = feedDir(deps);
    const full = resolve(dir, source.path);
    if (!full.startsWith(dir + sep)) throw invalid('source.path', `must name a file inside the feed directory (${dir})`);
    source = { path: full };
  } else {
    // SSRF: a tenant's feed URL must not point the server at its own network. What the text
    // shows is refused here; a name that resolves inside is refused when the fetch connects.
    const problem = urlProblem(source.url);
    if (problem) throw invalid('source.url', problem);
  }
  if ((await deps.store.feeds.list(ctx.tenant.id)).some((f) => f.name === body.name)) throw new PortcullisError('conflict', { message: `A feed named ${body.name} exists.` });
  const record: FeedRecord = { id: newId('feed'), tenantId: ctx.tenant.id, name: body.name, definition: { ...body, source } as unknown as Record<string, unknown>, createdAt: isoTime(deps.clock.now()) };
  await deps.store.transaction(async (tx) => {
    await tx.feeds.insert(record);
    await recordEvent(tx, deps.clock, ctx, { type: 'risk.policy_updated', outcome: 'success', actor, target: { kind: 'threat_feed', id: record.id }, data: { feed_added: { name: body.name, category: body.category, format: body.format } } });
  });
  await deps.reputation.sync();
  const status = deps.reputation.status(ctx.tenant.id).find((s) => s.name === body.name);
  return view(record, status);
}

export async function deleteFeed(deps: Deps, ctx: RequestContext, actor: Principal, id: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if (!(await tx.feeds.delete(ctx.tenant.id, id))) throw new PortcullisError('not_found', { message: 'No such feed.' });
    await recordEvent(tx, deps.clock, ctx, { type: 'risk.policy_updated', outcome: 'success', actor, target: { kind: 'threat_feed', id }, data: { feed_removed: id } });
  });
  await deps.reputation.sync();
}
