import { parseCidr } from '../../domain/ip/address.js';
import { buildCidrSet } from '../../domain/ip/cidr-set.js';
import type { LabelledCidr } from '../../domain/ip/cidr-set.js';
import type { FeedHit, FeedIdentity } from '../../ports/feeds.js';
import type { ThreatFeed } from './threat-feed.js';

/** What a plain-text list held: the networks, and the lines that were not one. */
export interface TextFeedParse {
  readonly cidrs: LabelledCidr[];
  readonly invalid: number;
  /** The first few bad lines (1-based number and text), for the operator's log. */
  readonly invalidSamples: readonly { line: number; text: string }[];
}

const SAMPLES = 5;

/**
 * Reads a plain-text IP/CIDR list: one entry a line, `#` (and Spamhaus-style `;`) comments,
 * blank lines ignored. A line that is not exactly one address or network is counted and
 * skipped rather than failing the whole list.
 */
export function parseTextFeed(text: string): TextFeedParse {
  const cidrs: LabelledCidr[] = [];
  const invalidSamples: { line: number; text: string }[] = [];
  let invalid = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const comment = raw.search(/[#;]/);
    const line = (comment < 0 ? raw : raw.slice(0, comment)).trim();
    if (line === '') continue;
    const cidr = parseCidr(line);
    if (cidr) {
      cidrs.push({ cidr, label: 0 });
    } else {
      invalid++;
      if (invalidSamples.length < SAMPLES) invalidSamples.push({ line: lineNo, text: line.slice(0, 80) });
    }
  }
  return { cidrs, invalid, invalidSamples };
}

/**
 * Builds a feed from a plain-text list. A list with bad lines and not one good entry is
 * refused: that is an HTML error page or a truncated download, and swapping it in would
 * silently empty the blocklist.
 */
export function createTextFeed(identity: FeedIdentity, data: Buffer | string): ThreatFeed & { readonly invalid: number } {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const parsed = parseTextFeed(text);
  if (parsed.cidrs.length === 0 && parsed.invalid > 0) {
    const first = parsed.invalidSamples[0];
    throw new Error(`feed ${identity.name}: no valid entry in ${parsed.invalid} lines (line ${first?.line}: ${JSON.stringify(first?.text)})`);
  }
  const set = buildCidrSet(parsed.cidrs);
  const weight = identity.weight ?? null;
  // One frozen answer shared by every hit: a lookup allocates nothing.
  const hits: readonly FeedHit[] = Object.freeze([Object.freeze({ feed: identity.name, category: identity.category, weight })]);
  return {
    name: identity.name,
    category: identity.category,
    weight,
    entries: parsed.cidrs.length,
    invalid: parsed.invalid,
    lookup: (ip) => (set.lookup(ip) >= 0 ? hits : null),
  };
}
