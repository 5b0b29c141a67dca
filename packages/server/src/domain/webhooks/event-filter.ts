import { AUDIT_EVENT_TYPES } from '@portcullis/protocol';

/** True when `type` is named by `filter`: exact, `prefix.*` (any depth below), or `*`. */
export function eventMatches(filter: string, type: string): boolean {
  if (filter === '*') return true;
  if (filter.endsWith('.*')) return type.startsWith(filter.slice(0, -1));
  return filter === type;
}

export const subscribes = (filters: readonly string[], type: string): boolean => filters.some((f) => eventMatches(f, type));

/**
 * Filters that name no audit type are refused: a typo (`user.sigend_in`) would otherwise be a
 * subscription that silently never fires. Answers one message per offending index.
 */
export function unknownEventFilters(filters: readonly string[]): Array<{ index: number; message: string }> {
  return filters.flatMap((f, index) => (AUDIT_EVENT_TYPES.some((t) => eventMatches(f, t)) ? [] : [{ index, message: `names no event type: ${f}` }]));
}
