import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, TURNSTILE_TEST_CAPTCHA, type Harness } from '../support/harness.js';
import { tenantProblems } from '../../src/services/tenant-guard.js';
import { productionProblems } from '../../src/config/production-guard.js';
import { loadConfig } from '../../src/config/load.js';

describe('the production guard and tenant captcha settings', () => {
  let h: Harness;
  afterEach(() => h.close());
  const prod = loadConfig({ NODE_ENV: 'production', PORTCULLIS_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), PORTCULLIS_PUBLIC_URL: 'https://id.example' });

  it("refuses a tenant on Cloudflare's published test keys", async () => {
    h = await createHarness();
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
    const problems = productionProblems(prod, await tenantProblems(h.deps.store, h.deps.box));
    expect(problems).toEqual([
      'tenant acme: captcha secret is a published test secret',
      'tenant acme: captcha site key is a published test key',
    ]);
  });

  it('refuses a tenant pointed at the emulator, and accepts real-looking keys', async () => {
    h = await createHarness();
    await h.setPolicy({ captcha: { provider: 'hcaptcha', site_key: 'a1b2c3d4-real-site', secret: '0xREALSECRETVALUE', verify_url: 'http://127.0.0.1:3000/__captcha/hcaptcha/siteverify' } });
    expect(await tenantProblems(h.deps.store, h.deps.box)).toEqual(['tenant acme: captcha points at the captcha emulator (http://127.0.0.1:3000/__captcha/hcaptcha/siteverify)']);
    await h.setPolicy({ captcha: { provider: 'hcaptcha', site_key: 'a1b2c3d4-real-site', secret: '0xREALSECRETVALUE' } });
    expect(await tenantProblems(h.deps.store, h.deps.box)).toEqual([]);
  });

  it('uses the real provider endpoints when a tenant sets no verify_url', async () => {
    const { SITEVERIFY_URLS } = await import('@portcullis/protocol');
    expect(SITEVERIFY_URLS).toEqual({
      turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
      recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
      hcaptcha: 'https://api.hcaptcha.com/siteverify',
    });
    h = await createHarness();
  });
});
