import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createUser } from '../packages/server/src/index.js';
import { updatePolicy } from '../packages/server/src/services/risk/policy.js';
import { HUMAN_DEVICE } from '../packages/server/test/support/harness.js';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { CLICK_SITE_KEY, turnstileVia, USER, type RunningPortcullis } from './support/portcullis.js';
import { expectAccessible } from './support/axe.js';
import { useBrowser, useStack } from './support/suite.js';

// The admin console (DESIGN §14) in a real Chromium: an admin signs in through a captcha, reads
// the charts after driven traffic, explains a challenged attempt, edits, simulates and applies
// the policy, sees it audited, unlocks a locked user; a plain user signs in and gets no data.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document edited in place
type Json = Record<string, any>;

const ADMIN = { email: 'admin@example.com', password: 'admin console passphrase' };
const LOCKED = { email: 'locked@example.com', password: 'locked out passphrase' };

/** Before traffic: counters decide (low lockout limit to lock one account); then captcha on every login. */
const trafficPolicy = (emulator: RunningEmulator, onEveryLogin: boolean) => ({
  captcha: turnstileVia(emulator.url, { on_every_login: onEveryLogin }),
  rules: { account_failures: { limit: 100 } },
  lockout: { account_ip: { limit: 3 } },
});

const consoleDist = fileURLToPath(new URL('../packages/console/dist/index.html', import.meta.url));
const consoleSrc = fileURLToPath(new URL('../packages/console/src', import.meta.url));

interface Traffic { tenantHeader: Record<string, string>; login(body: Record<string, unknown>, ip: string): Promise<{ status: number; body: { error?: string; data?: { access_token: string } } }> }

function trafficTo(server: RunningPortcullis): Traffic {
  const tenantHeader = { 'x-tenant': server.tenant.slug };
  return {
    tenantHeader,
    async login(body, ip) {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST', headers: { ...tenantHeader, 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() as never };
    },
  };
}

/** A mix: people with good devices, a stuffing wave without device data (some solve the captcha, then fail the password), one account locked. */
async function driveTraffic(server: RunningPortcullis, emulator: RunningEmulator): Promise<void> {
  const t = trafficTo(server);
  const token = () => ({ provider: 'turnstile', token: emulator.controls.mintToken({ provider: 'turnstile', sitekey: CLICK_SITE_KEY, action: 'login', hostname: '127.0.0.1' }) });
  for (let i = 0; i < 4; i++) expect((await t.login({ ...USER, device: HUMAN_DEVICE }, `192.0.2.${10 + i}`)).status).toBe(200);
  for (let i = 0; i < 6; i++) {
    const email = `victim${i}@example.com`;
    const first = await t.login({ email, password: 'Password1!' }, '203.0.113.50');
    expect(first.body.error).toBe('captcha_required');
    if (i < 3) expect((await t.login({ email, password: 'Password1!', captcha: token() }, '203.0.113.50')).body.error).toBe('invalid_credentials');
  }
  for (let i = 0; i < 3; i++) expect((await t.login({ ...LOCKED, password: 'wrong password', device: HUMAN_DEVICE }, '198.51.100.7')).body.error).toBe('invalid_credentials');
  expect((await t.login({ ...LOCKED, device: HUMAN_DEVICE }, '198.51.100.7')).body.error).toBe('account_locked');
}

async function api(server: RunningPortcullis, token: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, {
    ...init, headers: { 'x-tenant': server.tenant.slug, authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  return { status: res.status, body: await res.json() as { data: never } };
}

/** Signs in on /admin through the emulator's click-to-pass widget. */
async function signInToConsole(context: BrowserContext, server: RunningPortcullis, who: { email: string; password: string }): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const human = page.frameLocator('.portcullis-captcha-slot iframe').getByRole('checkbox', { name: 'I am human' });
  await human.waitFor({ state: 'visible', timeout: 15_000 });
  await screenshot(page, 'console-sign-in');
  await human.click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 15_000 });
  return page;
}

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  // Focus follows navigation: a screen reader lands on the new page's heading.
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-title');
}

describeBrowser('admin console at /admin in Chromium', () => {
  const browser = useBrowser();
  const stack = useStack(browser, (emulator) => ({ policy: trafficPolicy(emulator, false), env: { PORTCULLIS_TRUSTED_PROXIES: '127.0.0.1/32' } }));

  it('is built and fresh', () => {
    expect(existsSync(consoleDist), 'run `npm run build` first').toBe(true);
    const newestSource = Math.max(...['app.tsx', 'shell.tsx', 'pages/policy.tsx', 'pages/overview.tsx'].map((f) => statSync(`${consoleSrc}/${f}`).mtimeMs));
    expect(statSync(consoleDist).mtimeMs, 'the console build is older than its sources: run `npm run build`').toBeGreaterThanOrEqual(newestSource);
  });

  it('lets an admin follow the whole loop: charts, a challenged attempt, policy simulate and apply, audit, unlock', async () => {
    const { server, emulator } = stack;
    let tenant = server.tenant;
    const opCtx = { tenant, ip: '127.0.0.1', userAgent: 'e2e', requestId: 'req_e2e' };
    await createUser(server.deps, { tenant }, { kind: 'operator', id: null }, { ...ADMIN, roles: ['admin'] });
    await createUser(server.deps, { tenant }, { kind: 'operator', id: null }, LOCKED);
    await driveTraffic(server, emulator);
    await updatePolicy(server.deps, opCtx, { kind: 'operator', id: null }, trafficPolicy(emulator, true));
    tenant = (await server.deps.store.tenants.bySlug(tenant.slug))!;
    // The admin's own token, for checking what the console shows against what the API answers.
    const t = trafficTo(server);
    const mint = emulator.controls.mintToken({ provider: 'turnstile', sitekey: CLICK_SITE_KEY, action: 'login', hostname: '127.0.0.1' });
    const signedIn = await t.login({ ...ADMIN, device: HUMAN_DEVICE, captcha: { provider: 'turnstile', token: mint } }, '192.0.2.99');
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.data!.access_token;

    const context = await humanContext(stack.browser);
    const page = await signInToConsole(context, server, ADMIN);

    // Overview: non-empty charts and tables.
    await page.locator('.uplot canvas').first().waitFor();
    expect(await page.locator('.uplot').count()).toBeGreaterThanOrEqual(3);
    const attempts = Number(await page.locator('[data-testid="total-attempts"]').textContent());
    expect(attempts).toBeGreaterThanOrEqual(16);
    expect(await page.locator('[data-testid="funnel"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="funnel"] tbody').textContent()).toContain('device.low_confidence');
    await screenshot(page, 'console-overview');
    await expectAccessible(page, 'console overview');

    // Attempts: find a challenged one and read its reasons.
    await go(page, 'Attempts');
    await page.getByLabel('Action').selectOption('challenge');
    const challenged = (await api(server, token, '/api/v1/risk/attempts?action=challenge&limit=50')).body.data as unknown[];
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // The status region says when the filtered list has arrived (and how long it is).
    await page.getByRole('status').filter({ hasText: `${challenged.length} attempts.` }).waitFor();
    expect(await page.locator('[data-testid="attempts"] tbody tr:not([data-action="challenge"])').count()).toBe(0);
    expect(await page.locator('[data-testid="attempts"] tbody tr').count()).toBe(challenged.length);
    await screenshot(page, 'console-attempts');
    await expectAccessible(page, 'console attempts');
    const stuffing = page.locator('[data-testid="attempts"] tbody tr', { hasText: 'victim0@example.com' });
    await stuffing.getByRole('button', { name: /^Explain attempt/ }).click();
    const detail = page.locator('[data-testid="attempt-detail"]');
    await detail.waitFor();
    const listed = (await api(server, token, '/api/v1/risk/attempts?email=victim0@example.com')).body.data as Array<{ id: string; reasons: Array<{ code: string }> }>;
    expect(listed).toHaveLength(1);
    expect(await detail.locator('h2 code').textContent()).toBe(listed[0]!.id);
    const codes = await detail.locator('[data-testid="attempt-reasons"] tbody th code').allTextContents();
    expect(codes).toEqual(listed[0]!.reasons.map((r) => r.code));
    expect(codes).toContain('device.low_confidence');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('attempt-title');
    await screenshot(page, 'console-attempt');
    await expectAccessible(page, 'console attempt detail');

    // Policy: a bad value gets the API's field message next to the field; a good draft is simulated, then applied.
    await go(page, 'Policy');
    const deny = page.locator('.field[data-path="thresholds.deny"]');
    await deny.locator('input').fill('500');
    await page.getByRole('button', { name: 'Simulate' }).click();
    // The document as the console sends it: what GET answered, without the read-only secret_set, with the edits.
    const current = (await api(server, token, '/api/v1/risk/policy')).body.data as Json;
    const draft = (edit: (doc: Json) => void): Json => {
      const doc = structuredClone(current);
      delete doc.captcha.secret_set;
      edit(doc);
      return doc;
    };
    const bad = draft((d) => { d.thresholds.deny = 500; });
    const refused = await fetch(`${server.url}/api/v1/risk/policy/simulate`, { method: 'POST', headers: { ...t.tenantHeader, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ policy: bad }) });
    const refusal = await refused.json() as { error: string; details: { fields: Array<{ path: string; message: string }> } };
    expect(refusal.error).toBe('invalid_request');
    const message = refusal.details.fields.find((f) => f.path === 'policy.thresholds.deny')!.message;
    await deny.locator('.field-message').waitFor();
    expect(await deny.locator('.field-message').textContent()).toBe(message);
    expect(await deny.locator('input').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'console-policy-invalid');

    await deny.locator('input').fill('90');
    await page.locator('.field[data-path="rules.device_low_confidence.points"] input').fill('20');
    await page.getByRole('button', { name: 'Simulate' }).click();
    const impact = page.locator('[data-testid="impact"]');
    await impact.waitFor();
    const candidate = draft((d) => { d.thresholds.deny = 90; d.rules.device_low_confidence.points = 20; });
    const simulated = await fetch(`${server.url}/api/v1/risk/policy/simulate`, { method: 'POST', headers: { ...t.tenantHeader, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ policy: candidate }) });
    const sim = (await simulated.json() as { data: { attempts: number; current: Record<string, number>; candidate: Record<string, number>; changed: Record<string, number> } }).data;
    expect(sim.attempts).toBeGreaterThan(0);
    expect(await impact.locator('h2').textContent()).toBe(`Impact over ${sim.attempts} recorded attempts`);
    for (const action of ['allow', 'challenge', 'deny']) {
      expect(await impact.locator(`tr[data-row="${action}"] td`).allTextContents()).toEqual([String(sim.current[action]), String(sim.candidate[action])]);
    }
    for (const k of ['newly_allowed', 'newly_challenged', 'newly_denied']) {
      expect(await impact.locator(`tr[data-row="${k}"] td`).textContent()).toBe(String(sim.changed[k]));
    }
    await impact.scrollIntoViewIfNeeded();
    await screenshot(page, 'console-policy');
    await expectAccessible(page, 'console policy with impact');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('status').filter({ hasText: 'Policy applied' }).waitFor();
    const applied = (await api(server, token, '/api/v1/risk/policy')).body.data as { rules: { device_low_confidence: { points: number } }; thresholds: { deny: number } };
    expect(applied.rules.device_low_confidence.points).toBe(20);
    expect(applied.thresholds.deny).toBe(90);

    // Audit: the change is there, by this admin.
    await go(page, 'Audit');
    await page.getByLabel('Type').selectOption('risk.policy_updated');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const adminId = (await server.deps.store.users.byEmail(tenant.id, ADMIN.email))!.id;
    const row = page.locator('[data-testid="audit"] tbody tr', { hasText: adminId });
    await row.first().waitFor();
    expect(await row.first().locator('td').nth(1).textContent()).toBe('risk.policy_updated');
    await screenshot(page, 'console-audit');
    await expectAccessible(page, 'console audit');

    // Locks & IPs: the locked account is listed; unlocking it is audited and lets its owner in.
    await go(page, 'Locks & IPs');
    await page.getByRole('button', { name: `Unlock ${LOCKED.email}` }).first().click();
    await page.getByRole('status').filter({ hasText: `${LOCKED.email} unlocked.` }).waitFor();
    const [unlocked] = await server.audit('user.unlocked', 1);
    expect(unlocked).toMatchObject({ actor: { kind: 'user', id: adminId }, target: { kind: 'user' } });
    await page.getByRole('textbox', { name: 'IP address' }).fill('203.0.113.50');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('[data-testid="ip-view"]').waitFor();
    expect(await page.locator('[data-testid="ip-view"]').textContent()).toContain('203.0.113.50');
    await screenshot(page, 'console-locks');
    await expectAccessible(page, 'console locks');

    for (const name of ['Users', 'Applications', 'Feeds']) {
      await go(page, name);
      await page.locator('main table, main p:not(.loading)').first().waitFor();
      await screenshot(page, `console-${name.toLowerCase()}`);
      await expectAccessible(page, `console ${name}`);
    }
    await context.close();
  }, 300_000);

  it('signs a plain user in but shows no data: the 403 is a clear message', async () => {
    const { server } = stack;
    const context = await humanContext(stack.browser);
    const page = await signInToConsole(context, server, USER);
    const problem = page.locator('.problem[data-code="forbidden"]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('Your account is not an administrator of this tenant');
    expect(await page.locator('.uplot').count()).toBe(0);
    expect(await page.locator('[data-testid="totals"]').count()).toBe(0);
    await screenshot(page, 'console-forbidden');
    await expectAccessible(page, 'console as a plain user');
    await context.close();
  }, 120_000);
});
