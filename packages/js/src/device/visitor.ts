const KEY = 'portcullis.visitor_id';
const SHAPE = /^vis_[0-9a-f]{32}$/;

let visitorId: string | undefined;

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage; // throws in sandboxed frames and with storage disabled
  } catch {
    return undefined;
  }
}

/**
 * A random `vis_…` id for this browsing session: in memory, and in sessionStorage when allowed
 * so a reload keeps it. Random, not derived from the signals: it must not become a tracker.
 */
export function getVisitorId(): string {
  if (visitorId) return visitorId;
  const store = storage();
  let stored: string | null | undefined;
  try {
    stored = store?.getItem(KEY);
  } catch {
    stored = undefined;
  }
  if (stored && SHAPE.test(stored)) return (visitorId = stored);
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  visitorId = `vis_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  try {
    store?.setItem(KEY, visitorId);
  } catch {
    // Quota or privacy mode: memory alone will do.
  }
  return visitorId;
}
