import type { Config } from './schema.js';

/**
 * What must never reach production: a deployment that runs on generated dev keys or the captcha
 * emulator would accept forged tokens or sign with a key that sits next to the database.
 * Tenant-level checks (test captcha secrets, a provider without a secret) are passed in.
 */
export function productionProblems(config: Config, tenantProblems: readonly string[] = []): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (!config.PORTCULLIS_MASTER_KEY) problems.push('PORTCULLIS_MASTER_KEY is required in production (the generated dev key is refused)');
  if (config.PORTCULLIS_CAPTCHA_EMULATOR === 'on') problems.push('PORTCULLIS_CAPTCHA_EMULATOR=on is refused in production');
  if (!config.PORTCULLIS_PUBLIC_URL) problems.push('PORTCULLIS_PUBLIC_URL is required in production (token issuers derive from it)');
  return [...problems, ...tenantProblems];
}

export function emulatorEnabled(config: Config): boolean {
  return config.PORTCULLIS_CAPTCHA_EMULATOR === 'on'
    || (config.PORTCULLIS_CAPTCHA_EMULATOR === 'auto' && config.NODE_ENV !== 'production');
}
