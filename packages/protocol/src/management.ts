import { Type, type Static } from 'typebox';
import { MANAGEMENT_SCOPES, AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from './events.js';
import { Identifier } from './common.js';

/** Roles a user can hold (DESIGN §14). An `admin` signs in like anyone and gets every management scope of its tenant. */
export const USER_ROLES = ['admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A role list on the wire: each role once, at most every role. */
export const UserRoles = Type.Array(Type.Enum(USER_ROLES), { uniqueItems: true, maxItems: USER_ROLES.length });

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  disabled: Type.Boolean(),
  roles: UserRoles,
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type User = Static<typeof User>;

export const CreateUserBody = Type.Object({
  email: Identifier({ minLength: 3, maxLength: 320 }),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
  disabled: Type.Optional(Type.Boolean()),
  roles: Type.Optional(UserRoles),
}, { additionalProperties: false });

export const PatchUserBody = Type.Object({
  email: Type.Optional(Identifier({ minLength: 3, maxLength: 320 })),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
  disabled: Type.Optional(Type.Boolean()),
  roles: Type.Optional(UserRoles),
}, { additionalProperties: false, minProperties: 1 });

export const Scope = Type.Enum(MANAGEMENT_SCOPES);

/** `machine`: client credentials; `spa`: public, no secret, PKCE S256 required; `web`: confidential code flow (DESIGN §19). */
export const APPLICATION_TYPES = ['machine', 'spa', 'web'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** A redirect URI as registered: absolute, matched exactly (no wildcards); the service checks scheme and fragment. */
const RedirectUris = Type.Array(Identifier({ minLength: 1, maxLength: 2048 }), { maxItems: 16, uniqueItems: true });

export const Application = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  name: Type.String(),
  type: Type.Enum(APPLICATION_TYPES),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  token_ttl_s: Type.Integer(),
  created_at: Type.String(),
  secret_rotated_at: Type.Union([Type.String(), Type.Null()]),
  previous_secret_expires_at: Type.Union([Type.String(), Type.Null()]),
});
export type Application = Static<typeof Application>;

/** Returned once, on creation and on rotation: the only time the secret is readable. */
export const ApplicationWithSecret = Type.Intersect([Application, Type.Object({ client_secret: Type.Optional(Type.String({ description: 'absent for a spa: a public client has no secret' })) })]);

export const CreateApplicationBody = Type.Object({
  name: Identifier({ minLength: 1, maxLength: 200 }),
  scopes: Type.Array(Identifier({ maxLength: 64 }), { maxItems: 32, uniqueItems: true }),
  token_ttl_s: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400 })),
  type: Type.Optional(Type.Enum(APPLICATION_TYPES, { default: 'machine' })),
  redirect_uris: Type.Optional(RedirectUris),
  post_logout_redirect_uris: Type.Optional(RedirectUris),
}, { additionalProperties: false });

export const PatchApplicationBody = Type.Object({
  name: Type.Optional(Identifier({ minLength: 1, maxLength: 200 })),
  scopes: Type.Optional(Type.Array(Identifier({ maxLength: 64 }), { maxItems: 32, uniqueItems: true })),
  token_ttl_s: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400 })),
  redirect_uris: Type.Optional(RedirectUris),
  post_logout_redirect_uris: Type.Optional(RedirectUris),
}, { additionalProperties: false, minProperties: 1 });

export const RotateSecretBody = Type.Object({
  overlap_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
}, { additionalProperties: false });

export const AuditEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  occurred_at: Type.String(),
  tenant_id: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  target: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  outcome: Type.Enum(AUDIT_OUTCOMES),
  data: Type.Record(Type.String(), Type.Unknown()),
  context: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditQuery = Type.Object({
  type: Type.Optional(Type.Enum(AUDIT_EVENT_TYPES)),
  outcome: Type.Optional(Type.Enum(AUDIT_OUTCOMES)),
  actor: Type.Optional(Identifier({ maxLength: 64 })),
  ip: Type.Optional(Identifier({ maxLength: 64 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  cursor: Type.Optional(Identifier({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });
export type AuditQuery = Static<typeof AuditQuery>;
