#!/usr/bin/env node
import { PortcullisError } from '@portcullis/protocol';
import { loadConfig, ConfigError } from './config/load.js';
import { compose } from './compose.js';
import { parseCli, USAGE } from './cli/args.js';
import { appCreate, auditCheckpoint, auditVerify, keysRotate, outbox, tenantCreate, userCreate, type Output } from './cli/commands.js';
import { start } from './cli/start.js';
import type { Deps } from './services/deps.js';

const COMMANDS: Record<string, (deps: Deps, args: ReturnType<typeof parseCli>) => Promise<Output>> = {
  'tenant create': tenantCreate,
  'user create': userCreate,
  'app create': appCreate,
  'audit verify': auditVerify,
  'audit checkpoint': auditCheckpoint,
  'keys rotate': keysRotate,
  outbox,
};

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  const [first, second] = args.positionals;
  if (!first || args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return first || args.values.help ? 0 : 2;
  }
  const config = loadConfig(process.env);
  if (first === 'start') {
    await start(config);
    return -1;
  }
  const { deps, close } = await compose(config);
  try {
    if (first === 'migrate') {
      report(args.values.json, { json: { ok: true }, text: 'database is up to date' });
      return 0;
    }
    const command = COMMANDS[`${first} ${second ?? ''}`] ?? COMMANDS[first];
    if (!command) throw new PortcullisError('invalid_request', { message: `unknown command: ${args.positionals.join(' ')}\n\n${USAGE}` });
    const output = await command(deps, args);
    report(args.values.json, output);
    return output.ok === false ? 1 : 0;
  } finally {
    await close();
  }
}

function report(json: boolean | undefined, output: Output): void {
  process.stdout.write(json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code); },
  (error: unknown) => {
    const json = process.argv.includes('--json');
    const message = error instanceof ConfigError || error instanceof PortcullisError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? (error as Error).message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    const code = error instanceof PortcullisError ? error.code : error instanceof ConfigError ? 'invalid_configuration' : 'error';
    // Field errors say what was wrong (`scopes.1: unknown scope users:reed`); the generic message alone does not.
    const fields = error instanceof PortcullisError && Array.isArray(error.details?.['fields']) ? error.details['fields'] as Array<{ path: string; message: string }> : [];
    const text = fields.length > 0 ? `${message}\n${fields.map((f) => `  - ${f.path}: ${f.message}`).join('\n')}` : message;
    process.stderr.write(json ? `${JSON.stringify({ error: code, message, ...(fields.length > 0 ? { details: { fields } } : {}) })}\n` : `portcullis: ${text}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
