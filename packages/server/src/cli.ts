#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { MANAGEMENT_SCOPES, PortcullisError } from '@portcullis/protocol';
import { loadConfig, ConfigError } from './config/load.js';
import { commandHelp, parseCommandLine, usage } from './cli/args.js';
import { COMMANDS } from './cli/registry.js';
import type { Output } from './cli/commands.js';

/** The server package's version (dist/cli.js → ../package.json). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Runs one command; -1 means a server is now running and the process stays up. */
async function main(argv: string[]): Promise<number> {
  // Everything about the command line is settled before configuration is read or ./data created.
  const line = parseCommandLine(argv, COMMANDS);
  switch (line.kind) {
    case 'usage': process.stdout.write(`${usage(COMMANDS)}\n`); return line.exitCode;
    case 'version': process.stdout.write(`portcullis ${version()}\n`); return 0;
    case 'help': process.stdout.write(`${commandHelp(line.command)}\n`); return 0;
  }
  const output = await line.command.run(loadConfig(process.env), line.args);
  if (output === 'serving') return -1;
  report(line.args.values.json, output);
  return output.ok === false ? 1 : 0;
}

function report(json: boolean | undefined, output: Output): void {
  process.stdout.write(json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code); },
  (error: unknown) => {
    const json = process.argv.includes('--json');
    const message = error instanceof ConfigError || error instanceof PortcullisError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')
      ? (error as Error).message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    const code = error instanceof PortcullisError ? error.code : error instanceof ConfigError ? 'invalid_configuration' : 'error';
    // Field errors say what was wrong (`scopes.1: unknown scope users:reed`); the generic message alone does not.
    const fields = error instanceof PortcullisError && Array.isArray(error.details?.['fields']) ? error.details['fields'] as Array<{ path: string; message: string }> : [];
    // A mistyped scope is fixed fastest by seeing the list it should have come from.
    const scopeHint = fields.some((f) => f.path.startsWith('scopes')) ? `\nvalid scopes: ${MANAGEMENT_SCOPES.join(' ')}` : '';
    const text = fields.length > 0 ? `${message}\n${fields.map((f) => `  - ${f.path}: ${f.message}`).join('\n')}${scopeHint}` : message;
    process.stderr.write(json ? `${JSON.stringify({ error: code, message, ...(fields.length > 0 ? { details: { fields } } : {}) })}\n` : `portcullis: ${text}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
