import type { FeedDefinition, FeedHit, FeedSet, FeedSetHooks, FeedStatus } from '../../ports/feeds.js';
import { createMmdbFeed } from './mmdb-feed.js';
import { describeSource, readFeedSource } from './source.js';
import type { SourceOptions } from './source.js';
import { createTextFeed } from './text-feed.js';
import type { ThreatFeed } from './threat-feed.js';

/** Timer functions, injectable so tests drive refreshes by hand. */
export interface FeedTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Dependencies and hooks of a feed set; `scope` only labels the logs here (the fetch passed in is the guard). */
export interface FeedSetOptions extends SourceOptions, Partial<FeedSetHooks> {
  readonly timers?: FeedTimers;
}

/** Builds a feed of the definition's format from its bytes; throws if the bytes are not one. */
export function loadFeed(definition: FeedDefinition, data: Buffer): ThreatFeed {
  if (definition.format === 'text') return createTextFeed(definition, data);
  return createMmdbFeed({ ...definition, datacenterAsns: definition.datacenter_asns ?? [] }, data);
}

interface Slot {
  readonly definition: FeedDefinition;
  current: ThreatFeed | null;
  loadedAt: number | null;
  failures: number;
  lastError: string | null;
  timer: unknown;
  inFlight: Promise<void> | null;
  gone: boolean;
}

// Most addresses are in no feed: answering them allocates nothing.
const NO_HITS: readonly FeedHit[] = Object.freeze([]);

const defaultTimers: FeedTimers = {
  // Unref'd: a pending refresh must never keep the process alive at shutdown.
  set: (run, ms) => setTimeout(run, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Creates a feed set. Nothing is fetched until `start()`. A refresh builds a whole new feed
 * and swaps it in by one assignment, so a lookup sees the old list or the new one, never half;
 * a failed refresh keeps the last good copy, because an outage at the feed's host must not
 * switch the protection off.
 */
export function createFeedSet(definitions: readonly FeedDefinition[], options: FeedSetOptions = {}): FeedSet {
  const clock = options.clock ?? { now: () => Date.now() };
  const timers = options.timers ?? defaultTimers;
  const threshold = options.failureThreshold ?? 3;
  const scope = options.scope ?? 'platform';
  let slots: Slot[] = [];
  let closed = false;

  // A throwing audit hook must not turn a background refresh into an unhandled rejection.
  const notify = (name: string, error: Error, failures: number): void => {
    try {
      options.onFetchFailed?.(name, error, failures);
    } catch {
      // the hook's own failure is its own to report
    }
  };

  const statusOf = (s: Slot): FeedStatus => ({
    name: s.definition.name, loaded: s.current !== null, entries: s.current?.entries ?? 0,
    loadedAt: s.loadedAt, consecutiveFailures: s.failures, lastError: s.lastError,
  });

  const schedule = (slot: Slot): void => {
    if (slot.timer !== undefined) timers.clear(slot.timer);
    slot.timer = undefined;
    const every = slot.definition.refresh_s;
    if (closed || slot.gone || every === undefined || !(every > 0)) return;
    slot.timer = timers.set(() => { slot.timer = undefined; void load(slot); }, every * 1000);
  };

  const load = (slot: Slot): Promise<void> => {
    slot.inFlight ??= (async () => {
      const started = performance.now();
      const about = () => ({ feed: slot.definition.name, scope, source: describeSource(slot.definition.source), ms: Math.round(performance.now() - started) });
      try {
        const feed = loadFeed(slot.definition, await readFeedSource(slot.definition.source, options));
        if (closed || slot.gone) return;
        slot.current = feed;
        slot.loadedAt = clock.now();
        slot.failures = 0;
        slot.lastError = null;
        const invalid = (feed as { invalid?: number }).invalid;
        options.log?.info({ ...about(), entries: feed.entries, ...(invalid ? { invalid_lines: invalid } : {}) }, 'threat feed loaded');
      } catch (caught) {
        if (closed || slot.gone) return;
        const error = caught instanceof Error ? caught : new Error(String(caught));
        slot.failures++;
        slot.lastError = error.message;
        options.log?.warn({ ...about(), consecutive_failures: slot.failures, error: error.message.slice(0, 200) }, 'threat feed load failed');
        if (slot.failures >= threshold) notify(slot.definition.name, error, slot.failures);
      } finally {
        slot.inFlight = null;
        schedule(slot);
      }
    })();
    return slot.inFlight;
  };

  const find = (name: string): Slot => {
    const slot = slots.find((s) => s.definition.name === name);
    if (!slot) throw new Error(`no feed named ${name}`);
    return slot;
  };

  const insert = (definition: FeedDefinition): Slot => {
    if (slots.some((s) => s.definition.name === definition.name)) throw new Error(`duplicate feed name ${definition.name}`);
    const slot: Slot = { definition, current: null, loadedAt: null, failures: 0, lastError: null, timer: undefined, inFlight: null, gone: false };
    slots = [...slots, slot];
    return slot;
  };

  for (const definition of definitions) insert(definition);

  return {
    lookup(ip) {
      // Most addresses are in no feed and most listed ones in one: both answers allocate nothing
      // (a feed's hits are frozen and shared); only an address in several feeds gets a new array.
      let first: readonly FeedHit[] | null = null;
      let hits: FeedHit[] | null = null;
      for (let s = 0; s < slots.length; s++) {
        const found = slots[s]!.current?.lookup(ip);
        if (!found) continue;
        if (first === null) { first = found; continue; }
        hits ??= [...first];
        for (let i = 0; i < found.length; i++) hits.push(found[i]!);
      }
      return hits ?? first ?? NO_HITS;
    },
    async start() {
      const started = performance.now();
      await Promise.all(slots.map(load));
      const status = slots.map(statusOf);
      if (status.length > 0) {
        options.log?.info({
          scope, feeds: status.length, loaded: status.filter((s) => s.loaded).length,
          entries: status.reduce((n, s) => n + s.entries, 0), ms: Math.round(performance.now() - started),
        }, 'threat feeds started');
      }
      return status;
    },
    async refresh(name) {
      const slot = find(name);
      await (slot.inFlight ?? load(slot));
      return statusOf(slot);
    },
    async add(definition) {
      const slot = insert(definition);
      await load(slot);
      return statusOf(slot);
    },
    remove(name) {
      const slot = slots.find((s) => s.definition.name === name);
      if (!slot) return false;
      slot.gone = true;
      schedule(slot);
      slots = slots.filter((s) => s !== slot);
      return true;
    },
    status: () => slots.map(statusOf),
    close() {
      closed = true;
      for (const slot of slots) schedule(slot);
    },
  };
}
