import { Type, type Static, type TStringOptions } from 'typebox';

/**
 * Characters no identifier may hold: C0 controls, DEL and C1 controls (terminal escapes such as
 * ESC `[31m` or BEL in `outbox` output and logs), and the bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E/F, U+202A–E, U+2066–9) that make text read other than it is.
 */
export const FORBIDDEN_IN_IDENTIFIERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The JSON Schema `pattern` of {@link FORBIDDEN_IN_IDENTIFIERS}, so every route refuses them by its schema. */
export const IDENTIFIER_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$';

/** A string a person or program names something by (email, name, client id, cursor): no controls, no bidi tricks. */
export function Identifier(options: TStringOptions = {}) {
  return Type.String({ ...options, pattern: IDENTIFIER_PATTERN });
}

/** The error envelope of every `/api/v1` failure (DESIGN §4). */
export const ErrorEnvelope = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  request_id: Type.String(),
});
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

/** RFC 6749 §5.2 error body, used by `/oauth2/*`. */
export const OAuthErrorBody = Type.Object({
  error: Type.String(),
  error_description: Type.Optional(Type.String()),
});
export type OAuthErrorBody = Static<typeof OAuthErrorBody>;

export const PageMeta = Type.Object({
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  limit: Type.Integer(),
});

/** `{ data, meta }`, the success envelope of `/api/v1`. */
export function envelope<T extends Parameters<typeof Type.Object>[0][string]>(data: T) {
  return Type.Object({ data });
}

export function pageOf<T extends Parameters<typeof Type.Object>[0][string]>(item: T) {
  return Type.Object({ data: Type.Array(item), meta: PageMeta });
}

export const IdParams = Type.Object({ id: Identifier({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
/** The issuer path `/tenants/<slug>/…`. */
export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$' }) }, { additionalProperties: false });

export const ListQuery = Type.Object({
  cursor: Type.Optional(Identifier({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
}, { additionalProperties: false });
