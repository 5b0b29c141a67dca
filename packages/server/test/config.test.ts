import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfig, ConfigError } from '../src/config/load.js';
import { productionProblems } from '../src/config/production-guard.js';
import { renderConfigDocs } from '../src/config/docs.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

describe('configuration', () => {
  it('fills defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', PORTCULLIS_DATA_DIR: './data', NODE_ENV: 'development', PORTCULLIS_ACCESS_TOKEN_TTL_S: 900 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('converts numbers from text', () => {
    expect(loadConfig({ PORT: '8080' }).PORT).toBe(8080);
  });

  it('reports every bad key at once, unknown PORTCULLIS_* keys included, without echoing secrets', () => {
    const problems = problemsOf({ PORT: 'abc', PORTCULLIS_NOPE: '1', PORTCULLIS_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://user:hunter2@x/db' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT: must be integer/);
    expect(problems.join('\n')).toMatch(/PORTCULLIS_NOPE: unknown setting/);
    expect(problems.join('\n')).toMatch(/PORTCULLIS_LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('ignores unrelated environment variables', () => {
    expect(problemsOf({ HOME: '/root', PATH: '/bin' })).toEqual([]);
  });

  it('refuses dev keys, the emulator and a missing public URL in production', () => {
    const prod = loadConfig({ NODE_ENV: 'production', PORTCULLIS_CAPTCHA_EMULATOR: 'on' });
    expect(productionProblems(prod)).toEqual([
      'PORTCULLIS_MASTER_KEY is required in production (the generated dev key is refused)',
      'PORTCULLIS_CAPTCHA_EMULATOR=on is refused in production',
      'PORTCULLIS_PUBLIC_URL is required in production (token issuers derive from it)',
    ]);
    const good = loadConfig({ NODE_ENV: 'production', PORTCULLIS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), PORTCULLIS_PUBLIC_URL: 'https://id.example' });
    expect(productionProblems(good)).toEqual([]);
    expect(productionProblems(loadConfig({ PORTCULLIS_CAPTCHA_EMULATOR: 'on' }))).toEqual([]);
  });

  it('keeps docs/configuration.md generated from the schema', () => {
    const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });
});
