import { Value } from 'typebox/value';
import { ConfigSchema, type Config } from './schema.js';

/** Raised when the environment holds bad settings; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = new Set(Object.keys(ConfigSchema.properties));

/**
 * Parses the environment once: unknown `PORTCULLIS_*` keys, wrong types and bad values are all
 * reported together, so an operator fixes a deployment in one pass rather than one restart per typo.
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (KNOWN.has(key)) raw[key] = value;
    else if (key.startsWith('PORTCULLIS_')) problems.push(`${key}: unknown setting`);
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const reported = new Set<string>();
  for (const error of Value.Errors(ConfigSchema, converted)) {
    const key = error.instancePath.replace(/^\//, '');
    if (reported.has(key)) continue;
    reported.add(key);
    const value = raw[key];
    problems.push(`${key}: ${describe(key, error.message)}${value === undefined ? '' : ` (got ${JSON.stringify(redact(key, String(value)))})`}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(converted as Config);
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
