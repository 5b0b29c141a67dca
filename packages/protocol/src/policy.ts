import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { CAPTCHA_PROVIDERS } from './auth.js';
import type { FieldError } from './errors.js';
import { CIDR_EXAMPLE, cidrProblem } from './ip.js';
import { THREAT_CATEGORIES, THREAT_CATEGORY_POINTS } from './risk.js';

// The tenant risk policy (DESIGN §7). Every field carries its default, nested objects too, so a
// partial document is completed by the schema itself; every number is bounded so that a typo
// cannot switch protection off (a window of 0 s, a limit of a million) without being refused.

const DAY_S = 86_400;
const Points = (d: number) => Type.Integer({ minimum: 0, maximum: 100, default: d });
const Threshold = (d: number) => Type.Integer({ minimum: 0, maximum: 100, default: d });
const Limit = (d: number, max: number) => Type.Integer({ minimum: 1, maximum: max, default: d });
const Seconds = (d: number) => Type.Integer({ minimum: 1, maximum: 30 * DAY_S, default: d });
const Ratio = (d: number) => Type.Number({ minimum: 0, maximum: 1, default: d });
const Flag = (d: boolean) => Type.Boolean({ default: d });
const OrNull = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()], { default: null });
const Section = <P extends Parameters<typeof Type.Object>[0]>(p: P) =>
  Type.Object(p, { additionalProperties: false, default: {} });

// A path (`/__captcha/…`) names this server itself, whatever port or public URL it is served on: the
// demo tenant's emulator must not keep the port of the first start. `//host` and `/\host` are refused:
// a URL parser reads them as another host.
const Url = Type.String({
  maxLength: 2048, pattern: '^(?:https?://|/(?![/\\\\]))[^\\s]+$', description: 'an http(s) URL or a /path on this server',
});
const Hostname = Type.String({
  maxLength: 253, pattern: '^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$', description: 'a hostname without scheme or port',
});
const Cidr = Type.String({ minLength: 1, maxLength: 64, description: CIDR_EXAMPLE });

/** What the engine does while the tenant's captcha provider is down: refuse, mail a code, or ask for proof of work (DESIGN §6, §16). */
export const OUTAGE_FALLBACKS = ['deny', 'email_otp', 'pow'] as const;

const captchaFields = {
  provider: Type.Union([...CAPTCHA_PROVIDERS.map((p) => Type.Literal(p)), Type.Null()], { default: null }),
  site_key: OrNull(Type.String({ minLength: 1, maxLength: 256 })),
  min_score: Ratio(0.5),
  allowed_hostnames: Type.Array(Hostname, { maxItems: 100, default: [] }),
  verify_url: OrNull(Url),
  script_url: OrNull(Url),
  timeout_ms: Type.Integer({ minimum: 100, maximum: 30_000, default: 3000 }),
  on_every_login: Flag(false),
  outage_fallback: Type.Union(OUTAGE_FALLBACKS.map((f) => Type.Literal(f)), { default: 'deny' }),
  // DESIGN §16: the base work of a proof-of-work challenge (the largest secret number at score 0);
  // it doubles for every 25 points of the attempt's risk score.
  pow: Section({ difficulty: Type.Integer({ minimum: 1000, maximum: 1_000_000, default: 20_000 }) }),
  // The provider's published always-pass test keys, for CI and staging; refused in production.
  test_mode: Flag(false),
};
type CategoryPoints = { [C in (typeof THREAT_CATEGORIES)[number]]: ReturnType<typeof Points> };
const Secret = OrNull(Type.String({ minLength: 1, maxLength: 1024 }));

const Thresholds = Section({ challenge: Threshold(30), deny: Threshold(90) });
const DoorRule = (d: { limit: number; window_s: number; block_limit: number }) => Section({
  limit: Limit(d.limit, 100_000), window_s: Seconds(d.window_s), points: Points(40), block_limit: Limit(d.block_limit, 1_000_000),
});
const Rules = Section({
  ip_failures: Section({ limit: Limit(5, 100_000), window_s: Seconds(900), points: Points(40) }),
  account_failures: Section({ limit: Limit(3, 100_000), window_s: Seconds(900), points: Points(40) }),
  device_low_confidence: Section({ below: Ratio(0.3), points: Points(40) }),
  ip_categories: Section(Object.fromEntries(THREAT_CATEGORIES.map((c) => [c, Points(THREAT_CATEGORY_POINTS[c])])) as CategoryPoints),
  // Public doors other than sign-in (DESIGN §19), counted per IP on every request: `limit` in the
  // window earns `points` (a captcha at the default threshold), `block_limit` answers `rate_limited`.
  signup: DoorRule({ limit: 5, window_s: 3600, block_limit: 50 }),
  password_reset: DoorRule({ limit: 5, window_s: 3600, block_limit: 30 }),
});
const Lockout = Section({
  // 100 is the NIST SP 800-63B cap on consecutive failures before an account must be locked.
  account_ip: Section({ limit: Limit(10, 100), window_s: Seconds(900), lock_s: Seconds(900) }),
  account: Section({ limit: Limit(50, 100), window_s: Seconds(DAY_S), lock_s: Seconds(3600) }),
  ip: Section({ limit: Limit(100, 1_000_000), window_s: Seconds(DAY_S), block_s: Seconds(3600) }),
});
const policyFields = {
  thresholds: Thresholds, rules: Rules, lockout: Lockout,
  trusted_networks: Type.Array(Cidr, { maxItems: 1000, default: [] }),
  monitor_only: Flag(false),
};

/** The effective, stored risk policy of a tenant, secret included: never sent to a client. */
export const RiskPolicy = Section({ captcha: Section({ ...captchaFields, secret: Secret }), ...policyFields });
export type RiskPolicy = Static<typeof RiskPolicy>;

/** What `GET /api/v1/risk/policy` returns: the effective document, the secret replaced by `secret_set`. */
export const RiskPolicyView = Section({ captcha: Section({ ...captchaFields, secret_set: Type.Boolean() }), ...policyFields });
export type RiskPolicyView = Static<typeof RiskPolicyView>;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * What `PUT /api/v1/risk/policy` accepts: any part of the document. `captcha.secret` is write-only
 * (omitted keeps the stored one, null clears it); `captcha.secret_set` is tolerated and ignored so
 * that a GET → edit → PUT round trip works.
 */
export type RiskPolicyInput = DeepPartial<RiskPolicy> & { captcha?: { secret_set?: boolean } };
export const RiskPolicyInput = Type.Unsafe<RiskPolicyInput>(optionalEverywhere(Section({
  // No default on the secret here: a validator that fills defaults (Ajv `useDefaults`) must not
  // turn "not mentioned" into "cleared".
  captcha: Section({ ...captchaFields, secret: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()]), secret_set: Type.Boolean() }),
  ...policyFields,
})) as TSchema);

function optionalEverywhere(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(optionalEverywhere);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) if (k !== 'required') out[k] = k === 'default' ? v : optionalEverywhere(v);
  return out;
}

/** The default document: what a tenant runs with before it writes a policy. */
export const DEFAULT_RISK_POLICY: RiskPolicy = deepFreeze(Value.Default(RiskPolicy, {}) as RiskPolicy);

/** The outcome of {@link resolvePolicy}: the effective policy, or every bad field at once. */
export type PolicyResolution = { ok: true; policy: RiskPolicy } | { ok: false; fields: FieldError[] };

/**
 * Validates a policy document, fills what it omits with defaults and checks the rules that span
 * fields. Pure; `currentSecret` is the stored secret, kept when the input does not mention one.
 * Paths are dotted (`thresholds.challenge`, `trusted_networks.3`); `''` is the document itself.
 */
export function resolvePolicy(input: unknown, options: { currentSecret?: string | null } = {}): PolicyResolution {
  if (!isPlainObject(input)) return { ok: false, fields: [{ path: '', message: 'must be an object' }] };
  const fields: FieldError[] = [];
  // structuredClone keeps keys such as `__proto__` as plain data, so they are reported, not dropped.
  let doc: Record<string, unknown>;
  try {
    doc = structuredClone(input);
  } catch {
    return { ok: false, fields: [{ path: '', message: 'must be a JSON object' }] };
  }
  if (isPlainObject(doc.captcha)) {
    const captcha = doc.captcha;
    if ('secret_set' in captcha) {
      if (typeof captcha.secret_set !== 'boolean') fields.push({ path: 'captcha.secret_set', message: 'must be true or false' });
      delete captcha.secret_set;
    }
    if (captcha.secret === undefined) captcha.secret = options.currentSecret ?? null;
  } else if (doc.captcha === undefined) {
    doc.captcha = { secret: options.currentSecret ?? null };
  }
  Value.Default(RiskPolicy, doc);
  walk(RiskPolicy, doc, '', fields);
  fields.push(...crossFieldErrors(doc, new Set(fields.map((f) => f.path))));
  if (fields.length > 0) return { ok: false, fields };
  return { ok: true, policy: inSchemaOrder(RiskPolicy, doc) as RiskPolicy };
}

/** The readable form of a stored policy: the secret never leaves the server. */
export function toPolicyView(policy: RiskPolicy): RiskPolicyView {
  const { secret, ...captcha } = policy.captcha;
  return { ...policy, captcha: { ...captcha, secret_set: secret !== null } };
}

// Rules that relate two fields; a field already refused on its own is not judged again.
function crossFieldErrors(doc: Record<string, unknown>, bad: Set<string>): FieldError[] {
  const out: FieldError[] = [];
  const { challenge, deny } = isPlainObject(doc.thresholds) ? doc.thresholds : {};
  const ok = (path: string, v: unknown) => !bad.has(path) && typeof v === 'number';
  if (ok('thresholds.challenge', challenge) && ok('thresholds.deny', deny) && (challenge as number) > (deny as number)) {
    out.push({ path: 'thresholds.challenge', message: `must not exceed thresholds.deny (${String(deny)})` });
  }
  // A provider without its keys can never verify a token: every challenge would fail closed.
  const captcha = isPlainObject(doc.captcha) ? doc.captcha : {};
  // altcha is issued and verified by Portcullis itself: no site key, no secret.
  if (typeof captcha.provider === 'string' && captcha.provider !== 'altcha' && !bad.has('captcha.provider')) {
    for (const key of ['site_key', 'secret']) {
      if (captcha[key] === null) out.push({ path: `captcha.${key}`, message: 'is required when captcha.provider is set' });
    }
  }
  return out;
}

type Json = {
  type?: string; properties?: Record<string, Json>; items?: Json; anyOf?: Json[]; const?: unknown;
  minimum?: number; maximum?: number; minLength?: number; maxLength?: number; maxItems?: number; description?: string;
};

// Walks the schema by hand rather than reading Value.Errors, which stops at a global cap of
// eight errors: the API promises every bad field in one answer.
function walk(schema: Json, value: unknown, path: string, out: FieldError[]): void {
  const here = (key: string | number) => (path === '' ? String(key) : `${path}.${key}`);
  if (schema.type === 'object' && schema.properties) {
    if (!isPlainObject(value)) return void out.push({ path, message: 'must be an object' });
    for (const [key, sub] of Object.entries(schema.properties)) walk(sub, value[key], here(key), out);
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(schema.properties, key)) out.push({ path: here(key), message: 'is not a known field' });
    }
  } else if (schema.type === 'array' && schema.items) {
    if (!Array.isArray(value)) return void out.push({ path, message: `must be a list, each entry ${describe(schema.items)}` });
    // An oversized list is one error, not one per entry.
    if (value.length > (schema.maxItems ?? Infinity)) {
      return void out.push({ path, message: `must have at most ${String(schema.maxItems)} entries` });
    }
    value.forEach((item, i) => walk(schema.items as Json, item, here(i), out));
  } else if (!Value.Check(schema as TSchema, value)) {
    out.push({ path, message: `must be ${describe(schema)}` });
  } else if (schema === Cidr) {
    const problem = cidrProblem(value as string);
    if (problem !== null) out.push({ path, message: problem });
  }
}

// The stored and returned document lists its keys in one order, whatever order the input used.
function inSchemaOrder(schema: Json, value: unknown): unknown {
  if (schema.type !== 'object' || !schema.properties || !isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(schema.properties).map(([k, sub]) => [k, inSchemaOrder(sub, value[k])]));
}

function describe(s: Json): string {
  if (s.anyOf) {
    const parts = s.anyOf.map(describe);
    return parts.length > 2 ? `one of ${parts.slice(0, -1).join(', ')} or ${String(parts.at(-1))}` : parts.join(' or ');
  }
  if ('const' in s) return JSON.stringify(s.const);
  if (s.description !== undefined) return s.description;
  switch (s.type) {
    case 'null': return 'null';
    case 'boolean': return 'true or false';
    case 'integer': return `an integer from ${String(s.minimum)} to ${String(s.maximum)}`;
    case 'number': return `a number from ${String(s.minimum)} to ${String(s.maximum)}`;
    case 'string': return `a string of ${String(s.minLength ?? 0)} to ${String(s.maxLength)} characters`;
    default: return 'a valid value';
  }
}


function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
