import { Type, type Static } from 'typebox';
import { Identifier } from './common.js';

/** An event filter: an exact audit type (`user.signed_in`), a prefix wildcard (`captcha.*`), or `*` for all (DESIGN §17). */
export const WEBHOOK_EVENT_PATTERN = '^(\\*|[a-z_]+(\\.[a-z_]+)*(\\.\\*)?)$';

export const WEBHOOK_STATUSES = ['enabled', 'disabled'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const Events = Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: WEBHOOK_EVENT_PATTERN }), { minItems: 1, maxItems: 64, uniqueItems: true });
// The URL is checked again (scheme, host, resolved address) by the service and at every send.
const Url = Type.String({ minLength: 1, maxLength: 2048, format: 'uri' });
const Description = Identifier({ maxLength: 500 });

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(WEBHOOK_STATUSES),
  disabled_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
  secret_rotated_at: Type.Union([Type.String(), Type.Null()]),
  previous_secret_expires_at: Type.Union([Type.String(), Type.Null()]),
});
export type Webhook = Static<typeof Webhook>;

/** Returned once, on creation and on rotation: the only time the signing secret is readable. */
export const WebhookWithSecret = Type.Intersect([Webhook, Type.Object({ secret: Type.String() })]);
export type WebhookWithSecret = Static<typeof WebhookWithSecret>;

export const CreateWebhookBody = Type.Object({
  url: Url,
  events: Events,
  description: Type.Optional(Description),
}, { additionalProperties: false });
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

/** `status: "enabled"` re-enables an endpoint that delivery gave up on. */
export const PatchWebhookBody = Type.Object({
  url: Type.Optional(Url),
  events: Type.Optional(Events),
  description: Type.Optional(Type.Union([Description, Type.Null()])),
  status: Type.Optional(Type.Enum(WEBHOOK_STATUSES)),
}, { additionalProperties: false, minProperties: 1 });
export type PatchWebhookBody = Static<typeof PatchWebhookBody>;

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  webhook_id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: Type.Enum(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  last_attempt_at: Type.Union([Type.String(), Type.Null()]),
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const DeliveryParams = Type.Object({
  id: Identifier({ minLength: 1, maxLength: 64 }),
  delivery_id: Identifier({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: false });
