import { createHmac } from 'node:crypto';
import { parseCidr } from '@portcullis/protocol';

/**
 * Who `portcullis demo traffic` pretends to be. Pure: a random source in, plans out, so the mix can
 * be reasoned about (and tested) without a server.
 */
export type Random = () => number;

/** The kinds of visitor, as the summary names them. */
export const SCENARIOS = ['office_vpn', 'home', 'stuffing', 'solver_farm', 'headless'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** A demo person: an account the command creates, used from one address with one browser. */
export interface Person {
  email: string;
  password: string;
  ip: string;
  visitorId: string;
}

/** What one sign-in sends: the body's parts, the address it claims (X-Forwarded-For), and what it does when challenged. */
export interface Plan {
  scenario: Scenario;
  email: string;
  /** The passwords tried in order (a person who mistypes, then gets it right). */
  passwords: string[];
  ip: string;
  device?: { visitor_id?: string; signals?: Record<string, unknown> };
  /** On `captcha_required`: solve it (a person, a solving service), send junk (a headless script), or give up. */
  onChallenge: 'solve' | 'junk' | 'give_up';
}

/** A desktop browser the way the SDK reports it: confidence 1. */
export const BROWSER_SIGNALS = {
  webdriver: false, headless_ua: false, plugins: 5, languages: 2, canvas: 'stable', webgl: 'ok', audio: 'stable',
  storage_quota_mb: 81_920, timezone: 'Europe/Berlin', tz_offset_min: -60, screen: [1920, 1080, 24], hardware_concurrency: 8, ua_ch_mismatch: false,
} as const;

/** Puppeteer/Playwright with defaults: navigator.webdriver set, otherwise plausible. */
export const HEADLESS_SIGNALS = { ...BROWSER_SIGNALS, webdriver: true, headless_ua: true, plugins: 0, webgl: 'software', screen: [800, 600, 24] } as const;

/** IPv4 networks of a feed list (`#` comments and IPv6 lines skipped), as [first address, size]. */
export function ipv4Networks(list: string): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (const line of list.split('\n')) {
    const text = line.split('#')[0]!.trim();
    if (text === '' || text.includes(':')) continue;
    const cidr = parseCidr(text);
    if (cidr && cidr.version === 4) out.push([cidr.words[0]!, 2 ** (32 - cidr.prefix)] as const);
  }
  return out;
}

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** An address inside one of `networks`, never its network or broadcast address when it has any hosts. */
export function addressIn(networks: ReadonlyArray<readonly [number, number]>, random: Random): string {
  if (networks.length === 0) throw new Error('no IPv4 network to draw an address from');
  const [first, size] = networks[Math.floor(random() * networks.length)]!;
  const offset = size <= 2 ? 0 : 1 + Math.floor(random() * (size - 2));
  return dotted(first + offset);
}

/**
 * The demo people's passwords, derived from the admin application's secret: a second run finds
 * the accounts the first one created without another secrets file, and nobody without that
 * secret can compute them.
 */
export function personPassword(secret: string, email: string): string {
  return `demo-${createHmac('sha256', secret).update(email).digest('base64url').slice(0, 20)}`;
}

// Home addresses come from the documentation ranges (RFC 5737): made-up people must not borrow
// a real household's address, and none of these is in a threat feed.
const HOME_NETWORKS = [[0xc6336400, 256], [0xcb007100, 256]] as const; // 198.51.100.0/24, 203.0.113.0/24

const OFFICE_NAMES = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'ken', 'margaret', 'dennis', 'frances', 'donald', 'radia', 'tim'];
const HOME_NAMES = ['anita', 'bruno', 'chidi', 'dana', 'emeka', 'farah', 'goran', 'hana', 'ivan', 'jia', 'kofi', 'lena', 'mateo', 'nadia', 'omar', 'priya', 'quinn', 'rosa'];

/** How long a demo person waits before signing in again: people sign in now and then, bots all the time. */
export const PERSON_REST_MS = 15_000;

/** The demo's people: `office` share one office-VPN egress address, `home` each have their own. */
export function demoPeople(secret: string, vpnNetworks: ReadonlyArray<readonly [number, number]>, random: Random): { office: Person[]; home: Person[] } {
  const officeIp = addressIn(vpnNetworks, random);
  const person = (name: string, ip: string, i: number): Person => {
    const email = `${name}@demo.example`;
    return { email, password: personPassword(secret, email), ip, visitorId: `vis_demo_${name.replace(/\W/g, '_')}_${i}` };
  };
  const office = OFFICE_NAMES.map((n, i) => person(`${n}.office`, officeIp, i));
  const home = HOME_NAMES.map((n, i) => person(`${n}.home`, addressIn(HOME_NETWORKS, random), i));
  return { office, home };
}

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)]!;
const LEAKED_NAMES = ['admin', 'info', 'john.smith', 'maria', 'support', 'test', 'sales', 'li.wei', 'ahmed', 'olga'];

/** What stuffing lists hold: mostly addresses of no account here, now and then a real one. */
function leakedEmail(people: readonly Person[], random: Random): string {
  return random() < 0.2 ? pick(people, random).email : `${pick(LEAKED_NAMES, random)}${Math.floor(random() * 1000)}@mail.example`;
}

const TOP_PASSWORDS = ['123456', 'password1', 'qwerty123', 'Summer2024!', 'letmein'] as const;
const leakedPassword = (random: Random) => pick(TOP_PASSWORDS, random);

/** One visit of `scenario`: a person signing in (sometimes mistyping once), or one bot request. */
export function planFor(scenario: Scenario, people: { office: Person[]; home: Person[] }, networks: { datacenter: ReadonlyArray<readonly [number, number]>; farm: readonly string[] }, random: Random): Plan {
  const everyone = [...people.office, ...people.home];
  switch (scenario) {
    case 'office_vpn':
    case 'home': {
      const p = pick(scenario === 'home' ? people.home : people.office, random);
      // About one sign-in in four starts with a typo (a caps-lock, a stale password).
      const typo = `${p.password.slice(0, -1)}${p.password.endsWith('x') ? 'y' : 'x'}`;
      const passwords = random() < 0.25 ? [typo, p.password] : [p.password];
      return { scenario, email: p.email, passwords, ip: p.ip, device: { visitor_id: p.visitorId, signals: { ...BROWSER_SIGNALS } }, onChallenge: 'solve' };
    }
    case 'stuffing':
      // A combo list from a datacenter: no browser at all, so no device data; it cannot solve a captcha.
      return { scenario, email: leakedEmail(everyone, random), passwords: [leakedPassword(random)], ip: addressIn(networks.datacenter, random), onChallenge: 'give_up' };
    case 'solver_farm':
      // The same, paying a captcha-solving service, from a few rented servers (`farm`), trying the
      // usual top passwords on each account: it gets past the captcha, then its failures add up.
      return { scenario, email: leakedEmail(everyone, random), passwords: [...TOP_PASSWORDS.slice(0, 4)], ip: pick(networks.farm, random), onChallenge: 'solve' };
    case 'headless':
      return { scenario, email: leakedEmail(everyone, random), passwords: [leakedPassword(random)], ip: addressIn(HOME_NETWORKS, random), device: { signals: { ...HEADLESS_SIGNALS } }, onChallenge: 'junk' };
  }
}

/** Which scenario a worker plays at `progress` (0–1) of the run: the stuffing wave peaks in the middle third. */
export function scenarioAt(progress: number, random: Random): Scenario {
  const wave = progress >= 1 / 3 && progress < 2 / 3;
  const weights: Record<Scenario, number> = wave
    ? { office_vpn: 2, home: 2, stuffing: 5, solver_farm: 1, headless: 1 }
    : { office_vpn: 3, home: 4, stuffing: 1, solver_farm: 0.5, headless: 1 };
  let r = random() * Object.values(weights).reduce((a, b) => a + b, 0);
  for (const s of SCENARIOS) if ((r -= weights[s]) < 0) return s;
  return 'home';
}

/**
 * When the captcha provider is down: from 40 % to 50 % of the run. The server's breaker opens
 * after 5 failed calls and probes again 30 s later, so runs over about 50 s also show recovery.
 */
export function outageWindow(seconds: number): { fromMs: number; toMs: number } {
  return { fromMs: Math.round(seconds * 400), toMs: Math.round(seconds * 500) };
}

/** A small seeded generator (mulberry32), so a test can replay one mix exactly. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
