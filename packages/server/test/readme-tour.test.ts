import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, cleanEnv, startServer, type ServerProcess } from './support/server-process.js';

// The README's tour is what a newcomer pastes into a shell in their first five minutes. It is run
// here as written, against `portcullis start` on a real port: a step that no longer works fails.

/** The ```sh blocks of the "A five-minute tour" section, in order. */
function tourBlocks(readme: string): string[] {
  const from = readme.indexOf('## A five-minute tour');
  const to = readme.indexOf('\n## ', from + 1);
  return [...readme.slice(from, to).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * The tour as one bash script, with a marker line before each numbered step and each CLI call so
 * that the answers can be told apart. `curl` ends each answer with a newline (bodies have none);
 * `npx portcullis` is the CLI of this checkout, never a download.
 */
function script(blocks: string[]): string {
  const prelude = [
    'set -eo pipefail',
    'curl() { command curl "$@"; local rc=$?; echo; return $rc; }',
    'npx() { if [ "$1" = portcullis ]; then shift; node "$TOUR_CLI" "$@"; else echo "the tour runs only npx portcullis" >&2; return 99; fi; }',
  ];
  const marked = blocks.flatMap((block) => block.split('\n').flatMap((line) => {
    const step = /^# (\d)\. /.exec(line);
    if (step) return [`echo '@@ step ${step[1]}'`, line];
    if (line.startsWith('npx portcullis ')) return [`echo '@@ ${line.replace(/'/g, '')}'`, line];
    return [line];
  }));
  return [...prelude, "echo '@@ setup'", ...marked].join('\n');
}

function sections(output: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith('@@ ')) found.set(line.slice(3), current = []);
    else if (line.trim() !== '') current.push(line);
  }
  return found;
}

const parse = (line: string | undefined) => JSON.parse(line ?? 'null') as Record<string, any>;
const withoutRequestId = (line: string | undefined) => ({ ...parse(line), request_id: undefined });

describe('the README tour', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'portcullis-tour-'));
    server = await startServer({ dataDir: join(dir, 'data'), cwd: dir });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written, every step answering what the README says', () => {
    const blocks = tourBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(blocks).toHaveLength(2);
    // Run where `npm start` ran: the tour reads ./data/demo-credentials.json from there.
    const run = spawnSync('bash', ['-c', script(blocks)], {
      cwd: dir, encoding: 'utf8', timeout: 180_000, env: cleanEnv({ PORT: String(server!.port), TOUR_CLI: CLI, PORTCULLIS_DATA_DIR: join(dir, 'data') }),
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = sections(run.stdout);
    expect(out.get('setup')).toEqual([]);

    const [challenged, success] = out.get('step 1')!;
    expect(parse(challenged)).toEqual({
      error: 'captcha_required', message: expect.any(String), request_id: expect.stringMatching(/^req_/),
      details: { provider: 'turnstile', site_key: '3x00000000000000000000FF', action: 'login' },
    });
    const signedIn = parse(success);
    expect(signedIn).toEqual({
      data: {
        state: 'success', session: { id: expect.stringMatching(/^ses_/), user_id: expect.stringMatching(/^usr_/) },
        access_token: expect.any(String), refresh_token: expect.stringMatching(/^prt_/), token_type: 'Bearer', expires_in: 900,
      },
    });

    const [wrongPassword, unknownEmail, ...rest2] = out.get('step 2')!;
    expect(rest2).toEqual([]);
    expect(parse(wrongPassword)).toEqual({ error: 'invalid_credentials', message: 'The email or password is incorrect.', request_id: expect.stringMatching(/^req_/) });
    expect(withoutRequestId(unknownEmail)).toEqual(withoutRequestId(wrongPassword));

    const rotated = parse(out.get('step 3')![0]);
    expect(rotated).toMatchObject({ token_type: 'Bearer', refresh_token: expect.stringMatching(/^prt_/), access_token: expect.any(String) });
    expect(rotated['refresh_token']).not.toBe(signedIn['data'].refresh_token);

    expect(out.get('step 4')).toEqual([]); // only assigns $ADMIN, which step 5 uses

    const [user, policy, updated, ip, audit, ...rest5] = out.get('step 5')!;
    expect(rest5).toEqual([]);
    expect(parse(user)).toMatchObject({ data: { email: 'anita@example.com', id: expect.stringMatching(/^usr_/) } });
    expect(parse(policy)['data'].captcha).toMatchObject({ provider: 'turnstile', on_every_login: false, secret_set: true });
    expect(parse(updated)).toEqual({ data: { ...parse(policy)['data'], captcha: { ...parse(policy)['data'].captcha, on_every_login: true } } });
    expect(parse(ip)).toMatchObject({ data: expect.any(Object) });
    const events = parse(audit)['data'] as Array<{ type: string }>;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 'captcha.required')).toBe(true);

    const [jwks, discovery, openapi, ready, ...metrics] = out.get('step 6')!;
    expect(parse(jwks)['keys'][0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(parse(discovery)['issuer']).toMatch(/\/tenants\/demo$/);
    expect(parse(openapi)['openapi']).toBe('3.1.0');
    expect(parse(ready)).toEqual({ ready: true, checks: { database: true } });
    expect(metrics.join('\n')).toMatch(/^# (HELP|TYPE) /m);

    const cli = (prefix: string) => [...out.entries()].find(([k]) => k.startsWith(`npx portcullis ${prefix}`))![1];
    expect(JSON.parse(cli('tenant create').join('\n'))).toMatchObject({ tenant: { slug: 'banking' }, application: { client_id: expect.stringMatching(/^app_/) } });
    expect(cli('user create')[0]).toMatch(/^user anita@bank\.example \(usr_\w+\) in banking$/);
    expect(cli('app create')).toContain('  scopes:        users:read audit:read');
    expect(cli('audit verify').every((l) => /^ok {6}\S+: \d+ events, chain intact$/.test(l))).toBe(true);
    expect(cli('audit verify')).toHaveLength(2);
    expect(cli('outbox')).toEqual(['outbox is empty']);
  }, 240_000);
});
