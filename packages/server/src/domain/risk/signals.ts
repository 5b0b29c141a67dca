import { THREAT_CATEGORIES, type RiskPolicy } from '@portcullis/protocol';

/**
 * Everything the risk engine looks at for one sign-in attempt, gathered beforehand by the
 * sign-in service (feeds, counters, locks, device scoring). The engine reads nothing else, so a
 * decision can be replayed from its audit record and tested without a single mock.
 */

/** A threat-feed category, as the policy's `rules.ip_categories` names them. */
export type IpCategory = keyof RiskPolicy['rules']['ip_categories'];

/** The categories in a fixed order, so reasons come out in the same order every time. */
export const IP_CATEGORIES: readonly IpCategory[] = THREAT_CATEGORIES;

/** The client IP found in one threat feed. */
export interface IpHit {
  /** Feed name, as configured (`POST /api/v1/risk/feeds` or platform-wide). */
  feed: string;
  category: IpCategory;
  /** The feed's own weight in points (0–100); when present it replaces the policy's category points. */
  weight?: number;
}

/**
 * Failed sign-ins already recorded before this attempt, each counted over the window of the
 * policy rule it feeds (so a tenant that changes a window changes what the service counts).
 */
export interface FailureCounts {
  /** This IP, all accounts, over `rules.ip_failures.window_s`. */
  ipFailures: number;
  /** This account (the normalised email, known or not), over `rules.account_failures.window_s`. */
  accountFailures: number;
  /** This account from this IP, over `lockout.account_ip.window_s`. */
  lockoutAccountIp: number;
  /** This account from anywhere, over `lockout.account.window_s`. */
  lockoutAccount: number;
  /** This IP, all accounts, over `lockout.ip.window_s`. */
  lockoutIp: number;
}

/** The name of one failure counter, as {@link FailureCounts} keys them. */
export type FailureCounter = keyof FailureCounts;

/** The failure counters in a fixed order (the order of DESIGN §7's rules). */
export const FAILURE_COUNTERS: readonly FailureCounter[] = ['ipFailures', 'accountFailures', 'lockoutAccountIp', 'lockoutAccount', 'lockoutIp'];

/**
 * How an attempt's sender is known to the account's owner: a sign-in with the right password
 * for this account, within the recognition window, from the same device (`visitor_id`) or the
 * same address (OWASP "device cookies"). Absent for a stranger.
 */
export type OwnerRecognition = 'device' | 'address';

/** Locks already in force (epoch milliseconds; absent = none), read from the database. */
export interface ActiveLocks {
  /** This account from this IP: someone guessing from one place does not lock the owner out elsewhere. */
  accountIpUntil?: number;
  /** This account from anywhere. */
  accountUntil?: number;
  /** This IP, all accounts. */
  ipUntil?: number;
}

/** The inputs of {@link evaluateRisk}. */
export interface RiskSignals {
  /** The canonical client IP (DESIGN §8). For the record only: the facts below are what count. */
  ip: string;
  /** Threat-feed hits for the IP; empty when it is in no feed. */
  ipHits: readonly IpHit[];
  /** The IP is inside one of the policy's `trusted_networks`: IP reputation and IP limits are off. */
  trustedNetwork: boolean;
  /**
   * Failure counts, or null when the counter store did not answer. Null is not "zero failures":
   * the engine then demands a challenge, since it cannot tell a first try from a ten-thousandth.
   */
  counts: FailureCounts | null;
  /**
   * When each counter's window ends (epoch ms), where the store said: a fixed window drops to
   * zero then. A counter without an entry is taken to run its whole policy window from now.
   */
  countersResetAt?: Partial<Record<FailureCounter, number>>;
  locks: ActiveLocks;
  /** The sender is recognised as the account's owner; absent for a stranger. */
  owner?: OwnerRecognition;
  /** Server-computed device confidence, 0–1 (`deviceConfidence()`); 0 when the client sent no device data. */
  deviceConfidence: number;
}
