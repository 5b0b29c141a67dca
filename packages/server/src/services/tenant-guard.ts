import { TEST_SECRETS, TEST_SITEKEYS } from '@portcullis/captcha-emulator';
import type { Store } from '../ports/store.js';
import type { SecretBox } from '../ports/secret-box.js';
import { policyOf } from './risk/policy.js';

const TEST_SECRET_VALUES = new Set(TEST_SECRETS.map((s) => s.secret));
const TEST_SITEKEY_VALUES = new Set(TEST_SITEKEYS.map((s) => s.sitekey));

/**
 * Tenant settings the production guard refuses: published test keys pass any token, a provider
 * without a secret cannot verify anything, and the emulator's endpoints say yes to anyone.
 * A service, not config: it reads the store and the policy service's parsing.
 */
export async function tenantProblems(store: Store, box: SecretBox): Promise<string[]> {
  const problems: string[] = [];
  for (const tenant of await store.tenants.list()) {
    const { captcha } = policyOf(tenant).policy;
    const where = `tenant ${tenant.slug}: captcha`;
    if (captcha.test_mode) problems.push(`${where} test_mode is on (published always-pass test keys)`);
    // altcha has no keys to check: Portcullis issues and verifies it under a key derived from the master key.
    if (!captcha.provider || captcha.provider === 'altcha') continue;
    if (captcha.secret === null) problems.push(`${where} provider ${captcha.provider} has no secret`);
    else if (TEST_SECRET_VALUES.has(box.open(captcha.secret))) problems.push(`${where} secret is a published test secret`);
    if (captcha.site_key && TEST_SITEKEY_VALUES.has(captcha.site_key)) problems.push(`${where} site key is a published test key`);
    for (const url of [captcha.verify_url, captcha.script_url]) {
      if (url?.includes('/__captcha/')) problems.push(`${where} points at the captcha emulator (${url})`);
    }
  }
  return problems;
}
