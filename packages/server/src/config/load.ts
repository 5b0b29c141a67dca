import { Value } from 'typebox/value';
import { ConfigSchema, type Config, type EnvConfig } from './schema.js';
import { propertyProblems } from './check.js';
import { parseSettings } from './settings.js';

/** Raised when the environment holds bad settings; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = new Set(Object.keys(ConfigSchema.properties));

/**
 * Parses the environment once: unknown `PORTCULLIS_*` keys, wrong types, bad values and bad
 * entries inside structured settings (proxy CIDRs, platform feeds) are all reported together,
 * so an operator fixes a deployment in one pass rather than one restart per typo.
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (KNOWN.has(key)) raw[key] = value;
    else if (key.startsWith('PORTCULLIS_')) problems.push(`${key}: unknown setting`);
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw)) as Record<string, unknown>;
  const bad = new Set<string>();
  for (const { path, message } of propertyProblems(ConfigSchema, converted)) {
    const key = path.split('.')[0]!;
    bad.add(key);
    const value = raw[key];
    problems.push(`${key}: ${describe(key, message)}${value === undefined ? '' : ` (got ${JSON.stringify(redact(key, String(value)))})`}`);
  }
  const settings = converted as EnvConfig;
  const parsed = parseSettings({
    PORTCULLIS_TRUSTED_PROXIES: bad.has('PORTCULLIS_TRUSTED_PROXIES') ? '' : settings.PORTCULLIS_TRUSTED_PROXIES,
    PORTCULLIS_FEED_ALLOW_HOSTS: bad.has('PORTCULLIS_FEED_ALLOW_HOSTS') ? '' : settings.PORTCULLIS_FEED_ALLOW_HOSTS,
    PORTCULLIS_THREAT_FEEDS: bad.has('PORTCULLIS_THREAT_FEEDS') ? '[]' : settings.PORTCULLIS_THREAT_FEEDS,
  });
  problems.push(...parsed.problems);
  if (settings.REDIS_URL && settings.REDIS_CLUSTER_NODES) problems.push('REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both');
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze({ ...settings, ...parsed.settings });
}

/** Enumerations read better as their allowed values than as the first failing branch. */
function describe(key: string, fallback: string): string {
  const schema = (ConfigSchema.properties as Record<string, { anyOf?: Array<{ const?: unknown }> }>)[key];
  const values = schema?.anyOf?.map((a) => a.const).filter((v) => v !== undefined);
  return values && values.length > 0 ? `must be one of ${values.join(', ')}` : fallback;
}

function redact(key: string, value: string): string {
  return /KEY|SECRET|PASSWORD|URL/.test(key) ? '<redacted>' : value;
}

// Parsed settings are nested (feed definitions, CIDR words): frozen all the way down.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
