import { parseArgs } from 'node:util';
import { PortcullisError } from '@portcullis/protocol';

export interface Parsed {
  positionals: string[];
  values: { tenant?: string; email?: string; password?: string; name?: string; scopes?: string; domain?: string[]; origin?: string[]; checkpoint?: string; admin?: boolean; json?: boolean; help?: boolean;
    url?: string; seconds?: string; type?: string; 'redirect-uri'?: string[]; 'post-logout-redirect-uri'?: string[] };
}

/** One flag of one command, as `--help` shows it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** What the value looks like (`<slug>`); none for a boolean. */
  arg?: string;
  help: string;
  multiple?: boolean;
  /** Missing → refused before any data is touched. */
  required?: boolean;
}

/** What the parser needs to know of a command; the registry adds what it runs. */
export interface CommandShape {
  /** One or two words: `migrate`, `user create`. */
  name: string;
  summary: string;
  /** Positional arguments after the name, each required (`<slug>`). */
  args?: string[];
  flags?: Record<string, FlagSpec>;
  /** Longer text for `portcullis <command> --help`. */
  details?: string;
}

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  json: { type: 'boolean', help: 'print one JSON document (for scripts)' },
  help: { type: 'boolean', help: 'show this help' },
};

export type CommandLine<C extends CommandShape> =
  | { kind: 'usage'; exitCode: 0 | 2 }
  | { kind: 'version' }
  | { kind: 'help'; command: C }
  | { kind: 'run'; command: C; args: Parsed };

const usageError = (message: string) => new PortcullisError('invalid_request', { message });

/**
 * Reads `portcullis <command words> [args] [--flags]` against the registry, before anything
 * touches the data dir: an unknown command, flag or missing argument must not leave a ./data behind.
 */
export function parseCommandLine<C extends CommandShape>(argv: string[], commands: readonly C[]): CommandLine<C> {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const words = firstFlag === -1 ? argv : argv.slice(0, firstFlag);
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  if (words[0] === 'help') {
    if (words.length === 1) return { kind: 'usage', exitCode: 0 };
    return { kind: 'help', command: find(words.slice(1), commands) ?? unknown(words.slice(1)) };
  }
  if (words.length === 0) {
    if (flags.has('--version') || flags.has('-V')) return { kind: 'version' };
    return { kind: 'usage', exitCode: flags.has('--help') || flags.has('-h') ? 0 : 2 };
  }
  const command = find(words, commands) ?? unknown(words);
  if (flags.has('--help') || flags.has('-h')) return { kind: 'help', command };
  const specs = { ...command.flags, ...GLOBAL_FLAGS };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, { type: s.type, multiple: s.multiple ?? false }])),
    });
  } catch (error) {
    // Node's wording ("To specify a positional argument starting with a '-'…") does not say what to do.
    const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    const what = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${flag}` : (error as Error).message;
    throw usageError(`${what} for ${command.name} (portcullis ${command.name} --help lists its options)`);
  }
  const { positionals, values } = parsed;
  const given = positionals.slice(command.name.split(' ').length);
  const expected = command.args ?? [];
  if (given.length !== expected.length) {
    throw usageError(`${given.length < expected.length ? `missing ${expected[given.length]}` : `unexpected argument ${given[expected.length]}`}\nusage: portcullis ${synopsis(command)}`);
  }
  for (const [flag, spec] of Object.entries(command.flags ?? {})) {
    if (spec.required && values[flag] === undefined) throw usageError(`--${flag}${spec.arg ? ` ${spec.arg}` : ''} is required`);
  }
  return { kind: 'run', command, args: { positionals, values: values as Parsed['values'] } };
}

function find<C extends CommandShape>(words: string[], commands: readonly C[]): C | undefined {
  return commands.find((c) => c.name === words.slice(0, 2).join(' ')) ?? commands.find((c) => c.name === words[0]);
}

function unknown(words: string[]): never {
  throw usageError(`unknown command: ${words.join(' ')} (portcullis help lists the commands)`);
}

/** `user create --tenant <slug> --email <e> [--password <p>]` */
export function synopsis(command: CommandShape): string {
  const flags = Object.entries(command.flags ?? {}).map(([k, s]) => {
    const text = `--${k}${s.arg ? ` ${s.arg}` : ''}`;
    return `${s.required ? text : `[${text}]`}${s.multiple ? '…' : ''}`;
  });
  return [command.name, ...(command.args ?? []), ...flags].join(' ');
}

/** The overview `portcullis help` prints. */
export function usage(commands: readonly CommandShape[]): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(16)}${c.summary}`);
  return [
    'Usage: portcullis <command> [--json]', '', ...rows, '',
    '  --json      print one JSON document (for scripts)',
    '  --version   print the version',
    'portcullis <command> --help shows a command\'s arguments.',
    'Configuration: environment variables, see docs/configuration.md.',
  ].join('\n');
}

/** What `portcullis <command> --help` prints. */
export function commandHelp(command: CommandShape): string {
  const flags = Object.entries({ ...command.flags, ...GLOBAL_FLAGS })
    .map(([k, s]) => `  ${`--${k}${s.arg ? ` ${s.arg}` : ''}`.padEnd(28)}${s.help}${s.required ? ' (required)' : ''}`);
  return [`Usage: portcullis ${synopsis(command)}`, '', command.summary + (command.details ? `\n${command.details}` : ''), '', 'Options:', ...flags].join('\n');
}
