import { Type, type Static } from 'typebox';

/**
 * The threat categories, defined here once: feeds report them, the policy scores them
 * (`rules.ip_categories`), the engine names its reasons after them (`ip.<category>`). The
 * order is the order reasons come out in.
 */
export const THREAT_CATEGORIES = ['known_bot', 'tor', 'vpn', 'proxy', 'datacenter'] as const;
export type ThreatCategory = (typeof THREAT_CATEGORIES)[number];

/** Default policy points per category (DESIGN §7). */
export const THREAT_CATEGORY_POINTS: Readonly<Record<ThreatCategory, number>> = { known_bot: 50, tor: 40, vpn: 30, proxy: 30, datacenter: 30 };

/** `POST /api/v1/risk/feeds` (DESIGN §7). */
export const CreateFeedBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  category: Type.Enum(THREAT_CATEGORIES),
  weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  format: Type.Enum(['text', 'mmdb']),
  source: Type.Union([
    Type.Object({ path: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
    Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https://' }) }, { additionalProperties: false }),
  ]),
  refresh_s: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86_400 })),
  datacenter_asns: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 4_294_967_295 }), { maxItems: 10_000 })),
}, { additionalProperties: false });
export type CreateFeedBody = Static<typeof CreateFeedBody>;

export const FeedView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  weight: Type.Union([Type.Integer(), Type.Null()]),
  format: Type.String(),
  source: Type.Record(Type.String(), Type.String()),
  refresh_s: Type.Union([Type.Integer(), Type.Null()]),
  scope: Type.Enum(['tenant', 'platform']),
  status: Type.Object({
    loaded: Type.Boolean(), entries: Type.Integer(), loaded_at: Type.Union([Type.String(), Type.Null()]),
    consecutive_failures: Type.Integer(), last_error: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type FeedView = Static<typeof FeedView>;

export const IpParams = Type.Object({ ip: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/** `GET /api/v1/risk/ips/{ip}`: why an address is treated as it is. */
export const IpInsight = Type.Object({
  ip: Type.String(),
  counter_key: Type.String(),
  trusted: Type.Boolean(),
  feeds: Type.Array(Type.Object({ feed: Type.String(), category: Type.String(), weight: Type.Union([Type.Integer(), Type.Null()]) })),
  failures: Type.Object({ window: Type.Integer(), window_s: Type.Integer(), day: Type.Integer(), day_window_s: Type.Integer() }),
  blocked_until: Type.Union([Type.String(), Type.Null()]),
  counters_available: Type.Boolean(),
});
export type IpInsight = Static<typeof IpInsight>;
