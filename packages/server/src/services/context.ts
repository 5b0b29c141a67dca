import type { TenantRecord } from '../ports/store.js';

/** What a service knows about the request it serves; resolved once by the HTTP layer. */
export interface RequestContext {
  tenant: TenantRecord;
  /** Canonical client IP (DESIGN §8). */
  ip: string;
  userAgent: string | undefined;
  requestId: string;
  visitorId?: string | undefined;
  /** This request already waited for the refusal budget before its body was read; its refusal does not wait again. */
  refusalTurnTaken?: boolean;
}

export interface Principal {
  kind: 'application' | 'user' | 'operator' | 'system';
  id: string | null;
}

/** Emails compare case-insensitively and after Unicode compatibility folding, so `Anita@Example.com` is one account. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

export const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Opaque cursors: callers must not build them, so internals (ids, sequence numbers) can change. */
export function encodeCursor(value: string | number): string {
  return Buffer.from(String(value)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** One page of rows fetched with `limit + 1`: the extra row only says whether there is a next page. */
export function paged<T, V>(rows: T[], limit: number, view: (row: T) => V, cursorOf: (row: T) => string | number) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(view), meta: { next_cursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null, limit } };
}
