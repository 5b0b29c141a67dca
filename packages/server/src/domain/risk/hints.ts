import type { ReasonHint, RiskPolicy } from '@portcullis/protocol';
import type { Reason } from './evaluate.js';
import { formatCidr, parseCidr, parseIp } from '../ip/address.js';

/** What a hint may name besides the reason: the address and account explained, and the policy in force. */
export interface HintContext {
  ip: string | null;
  email: string | null;
  userId: string | null;
  policy: RiskPolicy;
  /** Device factors behind a low confidence (`canvas.blocked`, …), when known. */
  deviceFactors: readonly string[];
}

/** The network an operator would trust for this address: its /24 (IPv4) or /64 (IPv6), as offices and VPN exits come. */
export function networkOf(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return null;
  const cidr = parseCidr(`${ip}/${parsed.version === 4 ? 24 : 64}`);
  return cidr ? formatCidr(cidr) : null;
}

const CATEGORY_NAME: Record<string, string> = { vpn: 'VPN', proxy: 'proxy', tor: 'Tor', datacenter: 'datacenter', known_bot: 'known-bot' };
const CATEGORY_TEXT: Record<string, string> = {
  vpn: 'if it is your corporate VPN', proxy: 'if it is your own egress proxy', tor: 'only if you mean to let Tor exits through unchallenged',
  datacenter: 'if your people sign in from cloud desktops there (or set rules.ip_categories.datacenter to 0 for all datacenters)',
  known_bot: 'only if you know this network and the feed is wrong about it',
};

/**
 * One hint with a fix for a firing reason (DESIGN §15). `fix` is a fragment of the policy
 * document: merged into the current document and PUT back, it switches the reason off for this
 * subject (arrays are given whole, the existing entries included). Locks and counters have no
 * policy fix worth suggesting, so they name the management call that lifts them instead.
 */
export function hintFor(reason: Reason, c: HintContext): ReasonHint {
  const network = c.ip ? networkOf(c.ip) : null;
  const trust = network ? { trusted_networks: [...c.policy.trusted_networks.filter((n) => n !== network), network] } : null;
  const code = reason.code;
  if ('feed' in reason) {
    const category = code.slice(3);
    return { code, hint: `${network ?? c.ip} is in the ${CATEGORY_NAME[category] ?? category} feed ${reason.feed}; ${CATEGORY_TEXT[category] ?? 'if you trust it'} add it to trusted_networks`, fix: trust };
  }
  switch (reason.code) {
    case 'ip.failures':
      return {
        code, hint: `${reason.count} failed sign-ins from ${c.ip} in ${reason.window_s} s (limit ${reason.limit}); one office NAT? add ${network} to trusted_networks, or clear its failures`,
        fix: trust, ...(c.ip ? { action: `DELETE /api/v1/risk/ips/${c.ip}/failures` } : {}),
      };
    case 'account.failures':
      return {
        code, hint: `${reason.count} failed sign-ins for ${c.email ?? 'this account'} in ${reason.window_s} s (limit ${reason.limit}); if the owner mistyped, unlock the account`,
        fix: null, ...(c.userId ? { action: `POST /api/v1/users/${c.userId}/unlock` } : {}),
      };
    case 'device.low_confidence': {
      // Just under what this device scored, and never at or under automation's 0.05: webdriver stays caught.
      const below = Math.max(0.06, Math.floor(reason.confidence * 100) / 100);
      const why = c.deviceFactors.length > 0 ? ` (${c.deviceFactors.join(', ')})` : '';
      return {
        code, hint: `device confidence ${reason.confidence}${why} is below ${reason.below}: a privacy-hardened browser or blocked fingerprinting? lower rules.device_low_confidence.below`,
        fix: below < reason.below ? { rules: { device_low_confidence: { below } } } : null,
      };
    }
    case 'tenant.captcha_always':
      return { code, hint: 'captcha.on_every_login is on: every sign-in is challenged whatever its score', fix: { captcha: { on_every_login: false } } };
    case 'counters.unavailable':
      return { code, hint: 'the counter store (Redis) does not answer: every sign-in is challenged until it does', fix: null };
    default: {
      const lockout = reason as Extract<Reason, { retry_after_s: number }>;
      const scope = code.slice('lockout.'.length);
      const what = scope === 'ip' ? `${c.ip} is blocked` : `${c.email ?? 'the account'} is locked${scope === 'account_ip' ? ` for ${c.ip}` : ''}`;
      const action = scope === 'ip' ? (c.ip ? `DELETE /api/v1/risk/ips/${c.ip}/failures` : undefined) : (c.userId ? `POST /api/v1/users/${c.userId}/unlock` : undefined);
      return { code, hint: `${what} for another ${lockout.retry_after_s} s after too many failures`, fix: null, ...(action ? { action } : {}) };
    }
  }
}
