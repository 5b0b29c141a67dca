import { ConfigSchema } from './schema.js';

/** `docs/configuration.md`, rendered from the schema so the docs cannot drift from what is validated. */
export function renderConfigDocs(): string {
  const required = new Set<string>((ConfigSchema as { required?: string[] }).required ?? []);
  const rows = Object.entries(ConfigSchema.properties).map(([key, raw]) => {
    const s = raw as { type?: string; anyOf?: Array<{ const?: string }>; enum?: string[]; default?: unknown; description?: string; pattern?: string; minimum?: number; maximum?: number };
    const values = s.anyOf?.map((a) => a.const).filter((v) => v !== undefined) ?? s.enum;
    const type = values ? values.map((v) => `\`${v}\``).join(' \\| ') : s.type ?? 'string';
    const range = s.minimum !== undefined ? ` (${s.minimum}–${s.maximum})` : s.pattern ? ` (\`${s.pattern}\`)` : '';
    const dflt = s.default === undefined ? (required.has(key) ? 'required' : '—') : `\`${s.default === '' ? '""' : String(s.default)}\``;
    return `| \`${key}\` | ${type}${range} | ${dflt} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    'Generated from `packages/server/src/config/schema.ts` by `npm run docs:config`; do not edit by hand.',
    '',
    'Portcullis reads its settings from environment variables once at start. Every problem is reported at',
    'once (unknown `PORTCULLIS_*` keys included) and the process exits with status 78. With',
    '`NODE_ENV=production` the production guard also refuses the generated dev master key, the captcha',
    'emulator and a missing `PORTCULLIS_PUBLIC_URL`.',
    '',
    '| variable | type | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
