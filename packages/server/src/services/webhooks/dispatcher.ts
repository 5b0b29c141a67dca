import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/clock.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type { ClaimedDelivery, DeliveryOutcome, WebhookSender } from '../../ports/webhooks.js';
import { DISABLE_AFTER_MS, nextAttemptAt } from '../../domain/webhooks/schedule.js';
import { signatureHeader } from '../../domain/webhooks/signature.js';
import { newId } from '../../ports/ids.js';
import { auditView } from '../audit-query.js';
import { createGroupCommit } from '../group-commit.js';
import { createSettleWindow } from './settle-window.js';
import { recordEvent } from '../audit.js';
import { liveSecrets } from './secrets.js';

export interface DispatcherDeps {
  store: Store;
  clock: Clock;
  box: SecretBox;
  send: WebhookSender;
  log?: { warn(obj: object, msg: string): void };
}

export interface DispatcherOptions {
  /** Names this instance's leases (default a fresh id per process). */
  owner?: string;
  intervalMs?: number;
  batch?: number;
  /** Per attempt, connect to status line (DESIGN §17: 10 s). */
  timeoutMs?: number;
  /** A lease outlives the attempt it covers, so a live sender never loses its row to another instance. */
  leaseMs?: number;
  random?: () => number;
  /** How long an outcome waits for others to share its commit (default 25 ms). */
  settleWindowMs?: number;
}

/** Sends due deliveries: claims a batch under a lease, POSTs each, records the outcome. */
export interface WebhookDispatcher {
  /** One claim-and-send round; resolves with the number of deliveries attempted. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops the loop and waits for the round in flight. */
  stop(): Promise<void>;
}

const GONE = 410;

export function createWebhookDispatcher(deps: DispatcherDeps, options: DispatcherOptions = {}): WebhookDispatcher {
  const owner = options.owner ?? newId('dlv');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? timeoutMs + 5_000;
  const random = options.random ?? Math.random;
  const { store, clock } = deps;
  // Outcomes of attempts that finish close together share one transaction: on SQLite one fsync per
  // batch rather than one per delivery, which blocked the event loop (sign-ins included) each time.
  const commit = createSettleWindow(createGroupCommit(store), owner, options.settleWindowMs ?? 25);

  async function attempt(d: ClaimedDelivery): Promise<void> {
    const now = clock.now();
    if (!d.endpoint || d.endpoint.status !== 'enabled' || !d.event) {
      const error = !d.event ? 'event no longer stored' : 'endpoint disabled';
      await commit.run((tx) => tx.webhooks.settle(d.id, owner, { kind: 'failed', atMs: now, status: null, error, retryAtMs: null }));
      return;
    }
    const body = JSON.stringify(auditView(d.event));
    const timestamp = Math.floor(now / 1000);
    const headers = {
      'webhook-id': d.event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(liveSecrets(deps.box, d.endpoint, now), d.event.id, timestamp, body),
    };
    let status: number | null = null;
    let error = '';
    try {
      status = (await deps.send(d.endpoint.url, { headers, body, timeoutMs })).status;
    } catch (e) {
      error = describe(e);
    }
    const at = clock.now();
    if (status !== null && status >= 200 && status < 300) {
      await commit.delivered({ id: d.id, atMs: at, status });
      return;
    }
    if (status !== null) error = `receiver answered ${status}`;
    const gone = status === GONE;
    const outcome: DeliveryOutcome = { kind: 'failed', atMs: at, status, error, retryAtMs: gone ? null : nextAttemptAt(d.attempts + 1, at, random()) };
    const endpoint = d.endpoint;
    await commit.run(async (tx) => {
      if (!(await tx.webhooks.settle(d.id, owner, outcome))) return;
      const since = await tx.webhooks.failingSince(d.tenantId, endpoint.id);
      const reason = gone ? 'receiver answered 410 Gone' : since !== undefined && at - since >= DISABLE_AFTER_MS ? 'failing for 5 days' : null;
      if (reason && (await tx.webhooks.disable(d.tenantId, endpoint.id, reason, new Date(at).toISOString()))) {
        await recordEvent(tx, clock, { tenantId: d.tenantId }, {
          type: 'webhook.disabled', outcome: 'failure', actor: { kind: 'system', id: null }, target: { kind: 'webhook', id: endpoint.id }, data: { reason },
        });
      }
    });
  }

  const settleSafely = (d: ClaimedDelivery) => attempt(d).catch((e: unknown) => deps.log?.warn({ delivery: d.id, err: describe(e) }, 'webhook attempt not recorded'));
  const claim = (limit: number) => store.webhooks.claim(owner, clock.now(), leaseMs, limit);

  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    // The dispatcher never keeps the process alive on its own.
    timer.unref();
    wake = () => { clearTimeout(timer); resolve(); };
  });

  return {
    async runOnce() {
      const claimed = await claim(options.batch ?? 100);
      await Promise.all(claimed.map(settleSafely));
      return claimed.length;
    },
    start() {
      if (running) return;
      running = true;
      // A pool, not rounds: a receiver that takes its full 10 s holds one slot, never the others' deliveries.
      const capacity = options.batch ?? 100;
      // Refill when half the slots are free, not on every completion: a claim is a write (an fsync on
      // SQLite) that scans past the leased rows, so claiming one row per finished delivery capped
      // dispatch at a few hundred per second.
      const refillAt = Math.max(1, Math.floor(capacity / 2));
      // Whether a finished delivery should wake the loop: only while a backlog waits for slots. With
      // no backlog the next claim waits for the interval, so a trickle of events (sign-ins) costs
      // one claim (one write) per interval, not one per burst.
      let backlog = false;
      loop = (async () => {
        while (running) {
          const free = capacity - inFlight.size;
          let claimed: ClaimedDelivery[] = [];
          try {
            if (free >= refillAt || inFlight.size === 0) claimed = await claim(free);
          } catch (e) {
            deps.log?.warn({ err: describe(e) }, 'webhook claim failed');
          }
          for (const d of claimed) {
            const p = settleSafely(d).then(() => { inFlight.delete(p); if (backlog) wake?.(); });
            inFlight.add(p);
          }
          // A full claim means more is due: go again once slots are free. Otherwise wait for the interval.
          if (claimed.length > 0 && claimed.length === free) backlog = true;
          else if (free >= refillAt || inFlight.size === 0) backlog = false;
          if (running) await pause(backlog && inFlight.size < refillAt ? 0 : options.intervalMs ?? 1000);
        }
      })();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.all(inFlight);
    },
  };
}

/** What went wrong, for the delivery log: never a header or the body (they carry the signature). */
function describe(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_TARGET_NOT_PUBLIC') return `target refused: ${e.message}`;
    return typeof code === 'string' ? `network error: ${code}` : `network error: ${e.message}`;
  }
  return 'network error';
}
