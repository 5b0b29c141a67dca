import type { ThreatCategory } from '@portcullis/protocol';
import type { Clock } from './clock.js';

/**
 * Threat feeds as a port (DESIGN §7): services decide which feeds a tenant has and audit their
 * failures; an adapter fetches, parses and looks up. Who fetches matters for security (SSRF),
 * so the service says whose feed it is (`scope`) and the adapter applies the matching guard.
 */

export type { ThreatCategory } from '@portcullis/protocol';

/**
 * One feed's verdict on an address. `weight` is the feed's own weight, or null when the feed
 * has none and the tenant policy's points for the category apply.
 */
export interface FeedHit {
  readonly feed: string;
  readonly category: ThreatCategory;
  readonly weight: number | null;
}

/** Identity of a feed as configured (DESIGN §7 `POST /api/v1/risk/feeds`). */
export interface FeedIdentity {
  readonly name: string;
  readonly category: ThreatCategory;
  readonly weight?: number | null;
}

/** Where a feed's bytes come from: a local file, or an https URL. */
export type FeedSource = { readonly path: string } | { readonly url: string };

/** A feed as configured. Without `refresh_s` it is loaded once. */
export interface FeedDefinition extends FeedIdentity {
  readonly format: 'text' | 'mmdb';
  readonly source: FeedSource;
  readonly refresh_s?: number;
  /** ASN databases: the networks of these ASNs are reported as datacenter. */
  readonly datacenter_asns?: readonly number[];
}

/** Where a feed stands, for the management API and health checks. */
export interface FeedStatus {
  readonly name: string;
  readonly loaded: boolean;
  readonly entries: number;
  readonly loadedAt: number | null;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
}

/** The threat feeds in force, refreshed in the background. */
export interface FeedSet {
  /** Every hit from every loaded feed, all categories, in one call (a shared empty array for none). */
  lookup(ip: string): readonly FeedHit[];
  /** First load of every feed; resolves when each has succeeded or failed once, never rejects. */
  start(): Promise<FeedStatus[]>;
  /** Loads one feed now (admin action, tests); the next refresh is timed from here. */
  refresh(name: string): Promise<FeedStatus>;
  /** Adds a feed and loads it. */
  add(definition: FeedDefinition): Promise<FeedStatus>;
  /** Drops a feed; true if it existed. */
  remove(name: string): boolean;
  status(): FeedStatus[];
  /** Stops every timer; later refresh results are discarded. */
  close(): void;
}

/** The part of a pino logger feeds write to (pino's `Logger` fits). */
export interface FeedLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
}

/**
 * Whose feeds a set holds. `tenant` feeds were written by a tenant admin and may only reach
 * public addresses; `platform` feeds come from the operator, who may allow named internal hosts.
 */
export type FeedScope = 'platform' | 'tenant';

/** What a service tells the adapter about a feed set. */
export interface FeedSetHooks {
  readonly scope: FeedScope;
  readonly clock?: Clock;
  /** Called on every failed refresh from the `failureThreshold`-th in a row on (default 3); audit it. */
  readonly onFetchFailed?: (feedName: string, error: Error, consecutiveFailures: number) => void;
  readonly failureThreshold?: number;
  /** Each load's outcome (entries, time, failure) is logged here. */
  readonly log?: FeedLog;
}

/** Builds a feed set; `compose.ts` picks the implementation. */
export type FeedSetFactory = (definitions: readonly FeedDefinition[], hooks: FeedSetHooks) => FeedSet;
