import { MANAGEMENT_SCOPES } from '@portcullis/protocol';
import type { Config } from '../config/schema.js';
import type { Deps } from '../services/deps.js';
import { compose } from '../compose.js';
import type { CommandShape, Parsed } from './args.js';
import { appCreate, auditVerify, keysRotate, outbox, tenantCreate, userCreate, type Output } from './commands.js';
import { start } from './start.js';

/** A command: its shape for parsing and help, and what it runs. `serving` means: keep the process up. */
export interface Command extends CommandShape {
  run(config: Readonly<Config>, args: Parsed): Promise<Output | 'serving'>;
}

/** A command body that works on composed dependencies, closed again when it is done. */
function withDeps(body: (deps: Deps, args: Parsed) => Promise<Output>): Command['run'] {
  return async (config, args) => {
    const { deps, close } = await compose(config);
    try {
      return await body(deps, args);
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
    run: async (config) => { await start(config); return 'serving'; },
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
    run: withDeps(tenantCreate),
  },
  {
    name: 'user create', summary: 'create a user (the same rules as POST /api/v1/users)',
    details: 'Without --password a password is generated and printed once.',
    flags: {
      ...tenantFlag(true),
      email: { type: 'string', arg: '<email>', help: 'the user\'s email', required: true },
      password: { type: 'string', arg: '<password>', help: 'at least 8 characters' },
    },
    run: withDeps(userCreate),
  },
  {
    name: 'app create', summary: 'create a machine application (OAuth2 client credentials)',
    flags: {
      ...tenantFlag(true),
      name: { type: 'string', arg: '<name>', help: 'a name for people', required: true },
      scopes: { type: 'string', arg: '"<scope> …"', help: `space-separated, from: ${MANAGEMENT_SCOPES.join(' ')}` },
    },
    run: withDeps(appCreate),
  },
  { name: 'outbox', summary: 'mail kept by the embedded mailer', flags: tenantFlag(false), run: withDeps(outbox) },
  { name: 'audit verify', summary: 'check every tenant\'s audit hash chain', flags: tenantFlag(false), run: withDeps(auditVerify) },
  { name: 'keys rotate', summary: 'add a new signing key (older tokens keep verifying)', flags: tenantFlag(true), run: withDeps(keysRotate) },
];
