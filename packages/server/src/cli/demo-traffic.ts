import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PortcullisError } from '@portcullis/protocol';
import type { Config } from '../config/schema.js';
import type { Parsed } from './args.js';
import type { Output } from './commands.js';
import { createDemoClient, DemoTrafficError } from '../demo/traffic-client.js';
import { demoPeople, ipv4Networks, seededRandom } from '../demo/traffic-mix.js';
import { checkForwarding, emulatorOf, ensureFeeds, ensurePeople, findListDir } from '../demo/traffic-setup.js';
import { runTraffic, type RunReport } from '../demo/traffic-run.js';

const usage = (message: string) => new PortcullisError('invalid_request', { message });
const MAX_SECONDS = 3600;

/** `http://HOST:PORT` as a client on this machine reaches it (a wildcard bind answers on loopback). */
function defaultBase(config: Readonly<Config>): string {
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST === '::' ? '::1' : config.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`;
}

function baseOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--url ${text}: must be an http(s) URL such as http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`--url ${text}: must be an http(s) URL`);
  return url.origin;
}

function secondsOf(text: string | undefined): number {
  if (text === undefined) return 60;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_SECONDS) throw usage(`--seconds ${text}: must be a whole number from 1 to ${MAX_SECONDS}`);
  return n;
}

/**
 * The admin application to drive the management API with: the demo tenant's from the data dir,
 * or for another tenant CLIENT_ID / CLIENT_SECRET from the environment (the README tour's names).
 */
function credentialsFor(config: Readonly<Config>, tenant: string | undefined): { tenant: string; clientId: string; clientSecret: string } {
  const file = join(resolve(config.PORTCULLIS_DATA_DIR), 'demo-credentials.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { tenant: string; application: { client_id: string; client_secret: string } }) : undefined;
  const slug = tenant ?? saved?.tenant;
  if (saved && slug === saved.tenant) return { tenant: slug, clientId: saved.application.client_id, clientSecret: saved.application.client_secret };
  const { CLIENT_ID, CLIENT_SECRET } = process.env;
  if (slug && CLIENT_ID && CLIENT_SECRET) return { tenant: slug, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  throw usage(saved
    ? `${file} holds the admin application of tenant ${saved.tenant}; for tenant ${slug} set CLIENT_ID and CLIENT_SECRET`
    : `no ${file}: run this where \`portcullis start\` seeded its demo (same PORTCULLIS_DATA_DIR), or set --tenant, CLIENT_ID and CLIENT_SECRET`);
}

/** `portcullis demo traffic`: people and bots against a running server, then what its decision log recorded. */
export async function demoTraffic(config: Readonly<Config>, args: Parsed): Promise<Output> {
  const base = args.values.url === undefined ? defaultBase(config) : baseOf(args.values.url);
  const seconds = secondsOf(args.values.seconds);
  const creds = credentialsFor(config, args.values.tenant);
  const listDir = findListDir(undefined, new URL(import.meta.url));
  const vpn = ipv4Networks(readFileSync(join(listDir, 'vpn-ipv4.txt'), 'utf8'));
  const datacenter = ipv4Networks(readFileSync(join(listDir, 'datacenter-ipv4.txt'), 'utf8'));
  const random = seededRandom(Date.now());
  try {
    const client = createDemoClient({ base, tenant: creds.tenant, clientId: creds.clientId, clientSecret: creds.clientSecret });
    const captcha = await emulatorOf(client, base);
    const driven = createDemoClient({ base, tenant: creds.tenant, clientId: creds.clientId, clientSecret: creds.clientSecret, captcha });
    const feedDir = resolve(config.PORTCULLIS_FEED_DIR ?? resolve(config.PORTCULLIS_DATA_DIR, 'feeds'));
    const feedsAdded = await ensureFeeds(driven, listDir, feedDir);
    const people = demoPeople(creds.clientSecret, vpn, random);
    const usersCreated = await ensurePeople(driven, [...people.office, ...people.home]);
    await checkForwarding(driven, people.home[0]!);
    const since = new Date().toISOString();
    const report = await runTraffic({ client: driven, provider: captcha.provider, seconds, concurrency: 4, people, datacenter, random });
    const stats = await driven.manage('GET', `/api/v1/risk/stats?since=${encodeURIComponent(since)}&bucket=minute`);
    const server = stats.status === 200 ? totals(stats.body['data']) : null;
    const json = { ok: true, url: base, tenant: creds.tenant, seconds, feeds_added: feedsAdded, users_created: usersCreated, ...report, server };
    return { json, text: summary(json, report, server) };
  } catch (error) {
    if (error instanceof DemoTrafficError) throw usage(error.message);
    throw error;
  }
}

type Totals = { attempts: number; allowed: number; challenged: number; denied: number; captcha_passed: number; captcha_failed: number; succeeded: number; reasons: Array<{ code: string; fired: number; solve_rate: number | null }> };

function totals(data: { buckets: Array<Record<string, number>>; reasons: Totals['reasons'] }): Totals {
  const sum = (k: string) => data.buckets.reduce((n, b) => n + (b[k] ?? 0), 0);
  return {
    attempts: sum('attempts'), allowed: sum('allowed'), challenged: sum('challenged'), denied: sum('denied'),
    captcha_passed: sum('captcha_passed'), captcha_failed: sum('captcha_failed'), succeeded: sum('succeeded'),
    reasons: data.reasons.map((r) => ({ code: r.code, fired: r.fired, solve_rate: r.solve_rate })),
  };
}

function summary(run: { url: string; tenant: string; seconds: number; feeds_added: string[]; users_created: number }, report: RunReport, server: Totals | null): string {
  const rows = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  const lines = [
    `demo traffic against ${run.url} (tenant ${run.tenant}) for ${run.seconds} s: ${report.visits} visits, ${report.requests} sign-in requests`,
    ...(run.feeds_added.length > 0 ? [`  feeds added:  ${run.feeds_added.join(', ')}`] : []),
    ...(run.users_created > 0 ? [`  demo users created: ${run.users_created}`] : []),
    `  captcha provider down (http500) from ${report.outage.from_s} s to ${report.outage.to_s} s`,
    '  answers by outcome (last answer of each attempt):',
    ...Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `    ${k.padEnd(22)}${String(n).padStart(6)}`),
    '  by visitor:',
    ...Object.entries(report.by_scenario).map(([s, c]) => `    ${s.padEnd(12)} ${rows(c) || '-'}`),
  ];
  if (server) {
    lines.push(
      `  decision log (minute buckets covering the run): ${server.attempts} attempts, allowed ${server.allowed}, challenged ${server.challenged}, denied ${server.denied}; captcha passed ${server.captcha_passed}, failed ${server.captcha_failed}; signed in ${server.succeeded}`,
      ...server.reasons.map((r) => `    ${r.code.padEnd(24)} fired ${r.fired}${r.solve_rate === null ? '' : `, solve rate ${Math.round(r.solve_rate * 100)} %`}`),
    );
  }
  lines.push(
    'The breaker keeps the provider skipped for 30 s after its 5th failed call: until it probes again, challenges answer captcha_unavailable.',
    'Why each attempt was treated as it was: GET /api/v1/risk/attempts, /api/v1/risk/stats, /api/v1/risk/explain (or the console at /admin).',
  );
  return lines.join('\n');
}
