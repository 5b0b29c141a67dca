import type { DemoClient } from './traffic-client.js';
import { addressIn, outageWindow, PERSON_REST_MS, planFor, scenarioAt, SCENARIOS, type Person, type Plan, type Random, type Scenario } from './traffic-mix.js';

type Networks = ReadonlyArray<readonly [number, number]>;

export interface RunOptions {
  client: DemoClient;
  provider: string;
  seconds: number;
  /** Visits in flight at once; the server hashes at most one password per core anyway. */
  concurrency: number;
  people: { office: Person[]; home: Person[] };
  datacenter: Networks;
  random: Random;
  now?: () => number;
}

export interface RunReport {
  visits: number;
  requests: number;
  /** The last answer of each attempt (a solved challenge and its retry are one attempt), per scenario. */
  by_scenario: Record<Scenario, Record<string, number>>;
  outcomes: Record<string, number>;
  outage: { from_s: number; to_s: number };
}

const codeOf = (status: number, body: Record<string, any>) => (status === 200 ? 'success' : typeof body['error'] === 'string' ? body['error'] : `http_${status}`);

/**
 * Drives the mix for `seconds`: one visit of every scenario first (so even a short run shows each
 * kind), then `concurrency` loops drawing scenarios, while the captcha provider is down for the
 * outage window. The provider is switched back on however the run ends.
 */
export async function runTraffic(options: RunOptions): Promise<RunReport> {
  const { client, random, seconds } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = started + seconds * 1000;
  const by_scenario = Object.fromEntries(SCENARIOS.map((s) => [s, {}])) as RunReport['by_scenario'];
  const outcomes: Record<string, number> = {};
  let visits = 0;
  let requests = 0;
  // A solving service works through its list from a few rented servers, so their failures add up per address.
  const farm = [addressIn(options.datacenter, random), addressIn(options.datacenter, random)];

  const count = (scenario: Scenario, code: string) => {
    by_scenario[scenario][code] = (by_scenario[scenario][code] ?? 0) + 1;
    outcomes[code] = (outcomes[code] ?? 0) + 1;
  };

  async function visit(plan: Plan): Promise<void> {
    visits++;
    for (const password of plan.passwords) {
      const body = { email: plan.email, password, ...(plan.device ? { device: plan.device } : {}) };
      requests++;
      let answer = await client.login(body, plan.ip);
      let code = codeOf(answer.status, answer.body);
      if (code === 'captcha_required' && plan.onChallenge !== 'give_up') {
        const token = plan.onChallenge === 'solve' ? await client.solvedToken() : `junk.${Math.floor(random() * 1e9)}`;
        requests++;
        answer = await client.login({ ...body, captcha: { provider: options.provider, token } }, plan.ip);
        code = codeOf(answer.status, answer.body);
      }
      count(plan.scenario, code);
      // Only a wrong password makes anyone try the next one; a lock, a refusal or an outage ends the visit.
      if (code !== 'invalid_credentials') return;
    }
  }

  // Without a rest, one person would sign in (and mistype) dozens of times a minute and lock
  // themselves out: a person signs in again only PERSON_REST_MS later; meanwhile the bots go on.
  const restingUntil = new Map<string, number>();
  const awake = (list: readonly Person[]) => list.filter((p) => (restingUntil.get(p.email) ?? 0) <= now());
  const plan = (wanted: Scenario): Plan => {
    const human = wanted === 'office_vpn' || wanted === 'home';
    const people = human ? { office: awake(options.people.office), home: awake(options.people.home) } : options.people;
    if (human && people[wanted === 'home' ? 'home' : 'office'].length === 0) return plan(random() < 0.7 ? 'stuffing' : 'headless');
    const p = planFor(wanted, people, { datacenter: options.datacenter, farm }, random);
    // Bots' lists hold every account, resting or not.
    if (human) restingUntil.set(p.email, now() + PERSON_REST_MS);
    return p;
  };

  const window = outageWindow(seconds);
  let timers: NodeJS.Timeout[] = [];
  // Switches run one after another: a late `http500` must never land after the final `ok`.
  let switching: Promise<void> = Promise.resolve();
  const switchProvider = (mode: string) => (switching = switching.then(() => client.providerMode(mode)).catch(() => undefined));
  try {
    await Promise.all(SCENARIOS.map((s) => visit(plan(s))));
    const elapsed = now() - started;
    timers = [
      setTimeout(() => void switchProvider('http500'), Math.max(0, window.fromMs - elapsed)),
      setTimeout(() => void switchProvider('ok'), Math.max(0, window.toMs - elapsed)),
    ];
    await Promise.all(Array.from({ length: options.concurrency }, async () => {
      while (now() < deadline) await visit(plan(scenarioAt((now() - started) / (seconds * 1000), random)));
    }));
  } finally {
    for (const t of timers) clearTimeout(t);
    await switching;
    await client.providerMode('ok'); // not swallowed: a provider left down must be said
  }
  return { visits, requests, by_scenario, outcomes, outage: { from_s: window.fromMs / 1000, to_s: window.toMs / 1000 } };
}
