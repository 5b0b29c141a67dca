import { Type, type Static } from 'typebox';

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

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const ListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
}, { additionalProperties: false });
