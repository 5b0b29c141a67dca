import { cidrProblem, parseCidr, type Cidr } from '../domain/ip/address.js';
import { normalizeHost } from '../domain/ip/public-address.js';
import type { FeedDefinition } from '../ports/feeds.js';
import { parsePlatformFeeds } from './feeds.js';

/** Settings whose text holds structure, parsed at boot with the rest so that every error shows at once. */
export interface ParsedSettings {
  /** `PORTCULLIS_TRUSTED_PROXIES`. */
  readonly trustedProxies: readonly Cidr[];
  /** `PORTCULLIS_FEED_ALLOW_HOSTS`, normalised (lower case, IPs canonical). */
  readonly feedAllowHosts: readonly string[];
  /** `PORTCULLIS_THREAT_FEEDS`. */
  readonly threatFeeds: readonly FeedDefinition[];
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** Parses the structured settings; `problems` names each bad entry with its key. */
export function parseSettings(env: { PORTCULLIS_TRUSTED_PROXIES: string; PORTCULLIS_FEED_ALLOW_HOSTS: string; PORTCULLIS_THREAT_FEEDS: string }): { settings: ParsedSettings; problems: string[] } {
  const problems: string[] = [];
  // Strict: a proxy entry with host bits set (`10.0.0.1/8`) is a typo that would trust a whole /8.
  const trustedProxies: Cidr[] = [];
  for (const entry of list(env.PORTCULLIS_TRUSTED_PROXIES)) {
    const problem = cidrProblem(entry);
    if (problem) problems.push(`PORTCULLIS_TRUSTED_PROXIES: ${JSON.stringify(entry)} ${problem}`);
    else trustedProxies.push(parseCidr(entry)!);
  }
  const feedAllowHosts: string[] = [];
  for (const entry of list(env.PORTCULLIS_FEED_ALLOW_HOSTS)) {
    const bare = entry.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
    // parseCidr takes a bare address only: no port, zone or brackets slip through as "an IP".
    const isIp = !bare.includes('/') && parseCidr(bare) !== null;
    if (isIp || HOSTNAME.test(bare)) feedAllowHosts.push(normalizeHost(bare));
    else problems.push(`PORTCULLIS_FEED_ALLOW_HOSTS: ${JSON.stringify(entry)} must be a host name or an IP address, without scheme or port`);
  }
  const feeds = parsePlatformFeeds(env.PORTCULLIS_THREAT_FEEDS, feedAllowHosts);
  problems.push(...feeds.problems);
  return { settings: { trustedProxies, feedAllowHosts, threatFeeds: feeds.feeds }, problems };
}
