import { MANAGEMENT_SCOPES } from '@portcullis/protocol';
import type { Config } from '../config/schema.js';
import type { CommandShape, Parsed } from './args.js';
import type { Output } from './commands.js';

/** A command: its shape for parsing and help, and what it runs. `serving` means: keep the process up. */
export interface Command extends CommandShape {
  run(config: Readonly<Config>, args: Parsed): Promise<Output | 'serving'>;
}

type Bodies = typeof import('./commands.js');
type BodyName = { [K in keyof Bodies]: Bodies[K] extends (...a: never[]) => Promise<Output> ? K : never }[keyof Bodies];

// The server's modules load only for the command that runs: `help` and a typo answer at once.
// One-shot commands send no webhooks: only `start` runs the dispatcher (a CLI call must not wait on a slow receiver).
const compose = async (config: Readonly<Config>) => (await import('../compose.js')).compose(config, { webhooks: false });

/** The body `name` of cli/commands.ts, run on composed dependencies that are closed again when it is done. */
function withDeps(name: BodyName): Command['run'] {
  return async (config, args) => {
    const [bodies, { deps, close }] = await Promise.all([import('./commands.js'), compose(config)]);
    try {
      return await bodies[name](deps, args);
    } finally {
      await close();
    }
  };
}

const tenantFlag = (required: boolean) => ({ tenant: { type: 'string', arg: '<slug>', help: 'the tenant, by slug', required } as const });

/** Every command, in the order `portcullis help` lists them. Adding a command is one entry here. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'start', summary: 'serve the API and the hosted sign-in page',
    details: 'PORT (3000), HOST (127.0.0.1) and PORTCULLIS_DATA_DIR (./data) come from the environment.\nOutside production a demo tenant is seeded on first start.',
    run: async (config) => { await (await import('./start.js')).start(config); return 'serving'; },
  },
  {
    name: 'migrate', summary: 'apply pending database migrations and list them',
    run: async (config) => {
      const { close, migrations } = await compose(config);
      await close();
      const text = migrations.length === 0 ? 'database is up to date (no migration to apply)'
        : `applied ${migrations.length} migration${migrations.length === 1 ? '' : 's'}:\n${migrations.map((m) => `  ${m}`).join('\n')}`;
      return { json: { ok: true, applied: migrations }, text };
    },
  },
  {
    name: 'tenant create', args: ['<slug>'], summary: 'create a tenant and its first admin application',
    flags: {
      domain: { type: 'string', arg: '<host>', help: 'a host name that selects this tenant', multiple: true },
      origin: { type: 'string', arg: '<scheme://host[:port]>', help: 'a browser origin allowed to call the API (CORS)', multiple: true },
    },
    run: withDeps('tenantCreate'),
  },
  {
    name: 'user create', summary: 'create a user (the same rules as POST /api/v1/users)',
    details: 'Without --password a password is generated and printed once.',
    flags: {
      ...tenantFlag(true),
      email: { type: 'string', arg: '<email>', help: 'the user\'s email', required: true },
      password: { type: 'string', arg: '<password>', help: 'at least 8 characters' },
      admin: { type: 'boolean', help: 'the user may run the tenant\'s console (every management scope)' },
    },
    run: withDeps('userCreate'),
  },
  {
    name: 'app create', summary: 'create an application: machine (client credentials), spa or web (OIDC code flow)',
    flags: {
      ...tenantFlag(true),
      name: { type: 'string', arg: '<name>', help: 'a name for people', required: true },
      scopes: { type: 'string', arg: '"<scope> …"', help: `space-separated, from: ${MANAGEMENT_SCOPES.join(' ')}` },
      type: { type: 'string', arg: '<machine|spa|web>', help: 'machine (default); spa: public, PKCE; web: confidential' },
      'redirect-uri': { type: 'string', arg: '<uri>', help: 'an exact redirect URI of the code flow', multiple: true },
      'post-logout-redirect-uri': { type: 'string', arg: '<uri>', help: 'where RP-initiated logout may return', multiple: true },
    },
    run: withDeps('appCreate'),
  },
  { name: 'outbox', summary: 'mail kept by the embedded mailer', flags: tenantFlag(false), run: withDeps('outbox') },
  {
    name: 'audit verify', summary: 'check every tenant\'s audit chain (and against a saved checkpoint)',
    flags: { ...tenantFlag(false), checkpoint: { type: 'string', arg: '<file>', help: 'checkpoints printed earlier by `audit checkpoint`' } },
    run: withDeps('auditVerify'),
  },
  { name: 'audit checkpoint', summary: 'print each chain head, signed, to keep elsewhere', flags: tenantFlag(false), run: withDeps('auditCheckpoint') },
  {
    name: 'demo traffic', summary: 'a realistic mix of people and bots against a running local server',
    details: 'Office-VPN staff, people who mistype and solve the captcha, a credential-stuffing wave from datacenter\naddresses, headless browsers and a captcha outage, so the decision log and the console have data.\nAdds the X4BNet feeds and demo users through the management API. The server must trust this\nmachine\'s X-Forwarded-For: start it with PORTCULLIS_TRUSTED_PROXIES=127.0.0.1/32,::1/128 (demo only).',
    flags: {
      url: { type: 'string', arg: '<base>', help: 'the running server (default http://HOST:PORT)' },
      ...tenantFlag(false),
      seconds: { type: 'string', arg: '<N>', help: 'how long to run, 1 to 3600 (default 60)' },
    },
    run: async (config, args) => (await import('./demo-traffic.js')).demoTraffic(config, args),
  },
  { name: 'keys rotate', summary: 'add a new signing key (older tokens keep verifying)', flags: tenantFlag(true), run: withDeps('keysRotate') },
];
