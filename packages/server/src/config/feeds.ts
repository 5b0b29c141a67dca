import { CreateFeedBody } from '@portcullis/protocol';
import type { FeedDefinition } from '../ports/feeds.js';
import { literalHostProblem, normalizeHost } from '../domain/ip/public-address.js';
import { propertyProblems } from './check.js';

const KEY = 'PORTCULLIS_THREAT_FEEDS';
const MAX_FEEDS = 100;

/**
 * Platform-wide feeds from `PORTCULLIS_THREAT_FEEDS`, validated with the same schema as the
 * feeds API, every problem reported. A URL that plainly names a non-public host is refused
 * unless the host is in `PORTCULLIS_FEED_ALLOW_HOSTS` (it would fail every fetch otherwise).
 */
export function parsePlatformFeeds(text: string, allowHosts: readonly string[]): { feeds: FeedDefinition[]; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { feeds: [], problems: [`${KEY}: must be a JSON array`] };
  }
  if (!Array.isArray(parsed)) return { feeds: [], problems: [`${KEY}: must be a JSON array`] };
  if (parsed.length > MAX_FEEDS) return { feeds: [], problems: [`${KEY}: must have at most ${MAX_FEEDS} feeds`] };
  const allowed = new Set(allowHosts);
  const problems: string[] = [];
  const names = new Set<string>();
  parsed.forEach((feed: unknown, i) => {
    const at = `${KEY}.${i}`;
    if (typeof feed !== 'object' || feed === null || Array.isArray(feed)) return void problems.push(`${at}: must be an object`);
    const found = propertyProblems(CreateFeedBody, feed as Record<string, unknown>, { unknown: true });
    problems.push(...found.map((p) => `${at}.${p.path}: ${p.message}`));
    const { name, source } = feed as { name?: unknown; source?: { url?: unknown } };
    if (typeof name === 'string') {
      if (names.has(name)) problems.push(`${at}.name: ${name} is used by another feed`);
      names.add(name);
    }
    if (found.length === 0 && typeof source?.url === 'string') {
      const problem = urlProblem(source.url, allowed);
      if (problem) problems.push(`${at}.source.url: ${problem}`);
    }
  });
  return { feeds: problems.length === 0 ? (parsed as FeedDefinition[]) : [], problems };
}

function urlProblem(text: string, allowed: ReadonlySet<string>): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (allowed.has(normalizeHost(url.hostname))) return null;
  const problem = literalHostProblem(url);
  return problem && `${problem}; add the host to PORTCULLIS_FEED_ALLOW_HOSTS to allow it`;
}
