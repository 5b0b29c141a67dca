import { Value } from 'typebox/value';
import { Type } from 'typebox';
import { CreateFeedBody } from '@portcullis/protocol';
import type { Config } from './schema.js';
import type { FeedDefinition } from '../adapters/feeds/feed-set.js';
import { ConfigError } from './load.js';

const PlatformFeeds = Type.Array(CreateFeedBody, { maxItems: 100 });

/** Platform-wide feeds from `PORTCULLIS_THREAT_FEEDS`, validated with the same schema as the feeds API. */
export function platformFeeds(config: Readonly<Config>): FeedDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(config.PORTCULLIS_THREAT_FEEDS);
  } catch {
    throw new ConfigError(['PORTCULLIS_THREAT_FEEDS: must be a JSON array']);
  }
  const errors = [...Value.Errors(PlatformFeeds, parsed)].slice(0, 10).map((e) => `PORTCULLIS_THREAT_FEEDS${e.instancePath.replace(/\//g, '.')}: ${e.message}`);
  if (errors.length > 0) throw new ConfigError(errors);
  return parsed as FeedDefinition[];
}
