/**
 * What every threat feed answers, whatever its format: which risk categories an address
 * falls in (DESIGN §7). Feeds are immutable once built; a refresh builds a new one and swaps.
 */

/** Risk categories a feed can report; the risk engine scores each as `ip.<category>`. */
export type ThreatCategory = 'known_bot' | 'tor' | 'vpn' | 'proxy' | 'datacenter';

/** Every category, for schemas and validation. */
export const THREAT_CATEGORIES: readonly ThreatCategory[] = ['known_bot', 'tor', 'vpn', 'proxy', 'datacenter'];

/**
 * One feed's verdict on an address. `weight` is the feed's own weight, or null when the feed
 * has none and the tenant policy's points for the category apply.
 */
export interface FeedHit {
  readonly feed: string;
  readonly category: ThreatCategory;
  readonly weight: number | null;
}

/** A loaded feed. `category` is the configured one (an mmdb feed reports categories from its records). */
export interface ThreatFeed {
  readonly name: string;
  readonly category: ThreatCategory;
  readonly weight: number | null;
  /** Networks or records loaded, for status and logs. */
  readonly entries: number;
  /** Every hit for `ip`, or null when the feed does not list it (or `ip` is not an address). */
  lookup(ip: string): readonly FeedHit[] | null;
}

/** Identity of a feed as configured (DESIGN §7 `POST /api/v1/risk/feeds`). */
export interface FeedIdentity {
  readonly name: string;
  readonly category: ThreatCategory;
  readonly weight?: number | null;
}
