/**
 * Tells the other instances of a deployment that a tenant changed (policy, captcha settings,
 * feeds, origins, keys), so they drop what they cached of it: DESIGN §12 wants a change in force
 * everywhere within 1 s, and an attack is when an admin turns on "captcha on every login".
 *
 * Delivery is best effort. A lost message heals within the caches' TTL, and the bus failing never
 * fails a request: `publish` does not throw, and a subscriber that reconnects is told "anything
 * may have changed", because messages sent while it was away are gone.
 */
export interface ChangeBus {
  /** Announces a committed change of one tenant, or of any (`undefined`). Never throws. */
  publish(tenantId: string | undefined): Promise<void>;
  /** `handler` hears changes announced by other instances (never this one's own). */
  subscribe(handler: ChangeHandler): void;
  /** Waits for announcements in flight (a CLI command must not exit before its message left), then disconnects. */
  close(): Promise<void>;
}

/** `undefined`: anything may have changed (a reconnect, a feed change). */
export type ChangeHandler = (tenantId: string | undefined) => void;

/** The wire message of the networked adapters: who sent it (to skip one's own) and which tenant. */
export interface ChangeMessage {
  from: string;
  tenant: string | null;
}

/** Parses a bus message; anything malformed (another program on the channel) is ignored. */
export function parseChangeMessage(text: string): ChangeMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<ChangeMessage> | null;
    if (!value || typeof value.from !== 'string') return undefined;
    if (value.tenant !== null && (typeof value.tenant !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value.tenant))) return undefined;
    return { from: value.from, tenant: value.tenant };
  } catch {
    return undefined;
  }
}
