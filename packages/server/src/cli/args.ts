import { parseArgs } from 'node:util';

export interface Parsed {
  positionals: string[];
  values: { tenant?: string; email?: string; password?: string; name?: string; scopes?: string; domain?: string[]; origin?: string[]; admin?: boolean; json?: boolean; help?: boolean };
}

/** Parses `portcullis <command> [subcommand] [--flags]`; unknown flags are an error, not ignored. */
export function parseCli(argv: string[]): Parsed {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      tenant: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' },
      scopes: { type: 'string' }, domain: { type: 'string', multiple: true }, origin: { type: 'string', multiple: true }, admin: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  return { positionals, values };
}

export const USAGE = `Usage: portcullis <command>

  start                                   serve (PORT 3000, HOST 127.0.0.1, PORTCULLIS_DATA_DIR ./data)
  migrate                                 apply database migrations
  tenant create <slug> [--domain <host>]… [--origin <scheme://host[:port]>]…
                                          create a tenant and its first admin application
  user create --tenant <slug> --email <e> [--password <p>] [--admin]
                                          --admin: the user may run the tenant's console
  app create --tenant <slug> --name <n> --scopes "<scope> …"
  outbox [--tenant <slug>]                mail kept by the embedded mailer
  audit verify [--tenant <slug>]          check every tenant's audit hash chain
  keys rotate --tenant <slug>             add a new signing key (older tokens keep verifying)

  --json   print one JSON document (for scripts)
Configuration: environment variables, see docs/configuration.md.`;
