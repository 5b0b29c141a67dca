import type { FeedHit, ThreatCategory } from '../../ports/feeds.js';

/**
 * What every threat feed answers, whatever its format: which risk categories an address
 * falls in (DESIGN §7). Feeds are immutable once built; a refresh builds a new one and swaps.
 * The categories themselves are defined once, in `@portcullis/protocol`.
 */

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
