import type { Provider, SiteRegistration, SiteverifyAnswer } from './types.js';

/**
 * The emulator's memory of the world: which sites exist, which tokens are spent, and which
 * answers were given under an idempotency key. One instance per emulator, never shared.
 */
export interface Accounts {
  registerSite(site: SiteRegistration): void;
  /** Sites of `provider` whose secret is `secret`. */
  sitesForSecret(provider: Provider, secret: string): SiteRegistration[];
  site(provider: Provider, sitekey: string): SiteRegistration | undefined;
  /** Marks a token nonce spent; false when it already was (single use). */
  spend(nonce: string, until: number): boolean;
  /** The answer recorded for this idempotency key and token, if any. */
  recalled(key: string, token: string): SiteverifyAnswer | undefined;
  remember(key: string, token: string, answer: SiteverifyAnswer, until: number): void;
  /** Forgets spent tokens and idempotency answers (sites stay). */
  clearSpent(): void;
}

/** Creates the in-memory accounts; `now` drives the pruning of spent entries. */
export function createAccounts(now: () => number): Accounts {
  const sites = new Map<string, SiteRegistration>();
  const spent = new Map<string, number>();
  const answers = new Map<string, { token: string; answer: SiteverifyAnswer; until: number }>();
  const prune = (): void => {
    const t = now();
    for (const [k, until] of spent) if (until <= t) spent.delete(k);
    for (const [k, v] of answers) if (v.until <= t) answers.delete(k);
  };
  return {
    registerSite(site) {
      if (!site.sitekey || !site.secret) throw new TypeError('registerSite needs a sitekey and a secret');
      sites.set(`${site.provider}\n${site.sitekey}`, { ...site });
    },
    sitesForSecret(provider, secret) {
      return [...sites.values()].filter((s) => s.provider === provider && s.secret === secret);
    },
    site(provider, sitekey) {
      return sites.get(`${provider}\n${sitekey}`);
    },
    spend(nonce, until) {
      prune();
      if (spent.has(nonce)) return false;
      // A spent nonce is kept at least as long as the token could still be presented.
      spent.set(nonce, until);
      return true;
    },
    recalled(key, token) {
      prune();
      const hit = answers.get(key);
      return hit && hit.token === token ? hit.answer : undefined;
    },
    remember(key, token, answer, until) {
      answers.set(key, { token, answer, until });
    },
    clearSpent() {
      spent.clear();
      answers.clear();
    },
  };
}
