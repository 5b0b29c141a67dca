import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoTrafficError, type DemoClient } from './traffic-client.js';
import type { Person } from './traffic-mix.js';

/** The two X4BNet lists the demo tenant gets as feeds, by feed name. */
export const DEMO_FEEDS = [
  { name: 'x4bnet-vpn', category: 'vpn', file: 'vpn-ipv4.txt' },
  { name: 'x4bnet-datacenter', category: 'datacenter', file: 'datacenter-ipv4.txt' },
] as const;

/**
 * The emulator behind the tenant's captcha, from its policy: the verify URL the seed set points
 * into the emulator (`/__captcha/turnstile/v0/siteverify` → `/__captcha`). A tenant on a real
 * provider cannot be driven: nobody can mint its tokens, and nobody should switch it off.
 */
export async function emulatorOf(client: DemoClient, base: string): Promise<{ emulator: string; provider: string; siteKey: string }> {
  const answer = await client.manage('GET', '/api/v1/risk/policy');
  if (answer.status !== 200) throw new DemoTrafficError(`cannot read the tenant's risk policy (${answer.status} ${String(answer.body['error'] ?? '')}); the admin application needs risk:read`);
  const captcha = answer.body['data']?.captcha as { provider?: string; site_key?: string; verify_url?: string | null } | undefined;
  const at = captcha?.verify_url && captcha.provider ? captcha.verify_url.indexOf(`/${captcha.provider}/`) : -1;
  if (!captcha?.provider || !captcha.site_key || !captcha.verify_url || at < 0) {
    throw new DemoTrafficError('the tenant\'s captcha is not the development emulator (no emulator verify_url in its policy): demo traffic only runs against the demo setup of `portcullis start`');
  }
  const emulator = new URL(captcha.verify_url.slice(0, at), base).href.replace(/\/$/, '');
  // A vendor's own URL has the same shape (…/turnstile/v0/siteverify): only an emulator answers
  // its control API, and nothing is created on the tenant before it has.
  const state = await fetch(`${emulator}/__emulator/state`, { signal: AbortSignal.timeout(5000) })
    .then(async (r) => (r.ok ? (await r.json()) as Record<string, unknown> : null))
    .catch(() => null);
  if (!state || typeof state['modes'] !== 'object') {
    throw new DemoTrafficError(`no captcha emulator answers at ${emulator}/__emulator/state: demo traffic only runs against the demo setup of \`portcullis start\` (never a tenant on a real provider)`);
  }
  return { emulator, provider: captcha.provider, siteKey: captcha.site_key };
}

/**
 * Adds the X4BNet VPN and datacenter lists as tenant feeds (once): copied into the feed directory,
 * which is the only place a tenant feed may read from, then registered through the API.
 */
export async function ensureFeeds(client: DemoClient, listDir: string, feedDir: string): Promise<string[]> {
  const listed = await client.manage('GET', '/api/v1/risk/feeds');
  if (listed.status !== 200) throw new DemoTrafficError(`cannot list the tenant's feeds (${listed.status})`);
  const names = new Set((listed.body['data'] as Array<{ name: string }>).map((f) => f.name));
  const added: string[] = [];
  for (const feed of DEMO_FEEDS) {
    if (names.has(feed.name)) continue;
    mkdirSync(feedDir, { recursive: true });
    copyFileSync(join(listDir, feed.file), join(feedDir, `${feed.name}.txt`));
    const created = await client.manage('POST', '/api/v1/risk/feeds', { name: feed.name, category: feed.category, format: 'text', source: { path: `${feed.name}.txt` } });
    if (created.status !== 201) {
      throw new DemoTrafficError(`the server refused feed ${feed.name} (${created.status} ${JSON.stringify(created.body['details'] ?? created.body['error'])}); does it use the same PORTCULLIS_DATA_DIR (or PORTCULLIS_FEED_DIR) as this command?`);
    }
    if (created.body['data']?.status?.loaded !== true) throw new DemoTrafficError(`feed ${feed.name} did not load: ${String(created.body['data']?.status?.last_error)}`);
    added.push(feed.name);
  }
  return added;
}

/** Creates the demo people's accounts; one that exists already (an earlier run) is kept as it is. */
export async function ensurePeople(client: DemoClient, people: readonly Person[]): Promise<number> {
  let created = 0;
  for (const p of people) {
    const answer = await client.manage('POST', '/api/v1/users', { email: p.email, password: p.password });
    if (answer.status === 201) created++;
    else if (answer.status !== 409) throw new DemoTrafficError(`cannot create demo user ${p.email} (${answer.status} ${String(answer.body['error'] ?? '')}); the admin application needs users:write`);
  }
  return created;
}

/** Where the X4BNet lists are in a checkout (the CLI runs from packages/server/dist/…). */
export function findListDir(explicit: string | undefined, from: URL): string {
  const candidates = explicit ? [explicit] : [fileURLToPath(new URL('../../../../test-data/ip-lists/x4bnet/', from)), join(process.cwd(), 'test-data/ip-lists/x4bnet')];
  const found = candidates.find((dir) => DEMO_FEEDS.every((f) => existsSync(join(dir, f.file))));
  if (!found) throw new DemoTrafficError(`the X4BNet lists (${DEMO_FEEDS.map((f) => f.file).join(', ')}) are not in ${candidates.join(' or ')}; run from a checkout of the repository`);
  return found;
}

/**
 * The server believes X-Forwarded-For only from PORTCULLIS_TRUSTED_PROXIES (DESIGN §8), and this
 * command cannot forge a source address. One probe attempt, then the decision log says which
 * address the server saw: when it is not the claimed one, every visitor would be 127.0.0.1 and
 * the mix meaningless, so the run stops and says what to set.
 */
export async function checkForwarding(client: DemoClient, probe: Person): Promise<void> {
  await client.login({ email: probe.email, password: probe.password, device: { visitor_id: probe.visitorId } }, probe.ip);
  const seen = await client.manage('GET', `/api/v1/risk/attempts?email=${encodeURIComponent(probe.email)}&limit=1`);
  if (seen.status !== 200) throw new DemoTrafficError(`cannot read the decision log (${seen.status}); the admin application needs risk:read`);
  const ip = (seen.body['data'] as Array<{ ip: string }>)[0]?.ip;
  if (ip !== probe.ip) {
    throw new DemoTrafficError([
      `the server saw this machine's address (${ip ?? 'nothing'}), not the one the demo claims in X-Forwarded-For (${probe.ip}).`,
      'It believes X-Forwarded-For only from its trusted proxies. For the demo, restart it trusting this machine:',
      '  PORTCULLIS_TRUSTED_PROXIES=127.0.0.1/32,::1/128 npm start',
      '(never in production unless a proxy on the same host really sets that header)',
    ].join('\n'));
  }
}
