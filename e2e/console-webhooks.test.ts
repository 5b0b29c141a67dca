import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Page } from 'playwright-core';
import { createUser } from '../packages/server/src/index.js';
import { describeBrowser, humanContext, screenshot } from './support/browser.js';
import { turnstileVia } from './support/portcullis.js';
import { expectAccessible } from './support/axe.js';
import { useBrowser, useStack } from './support/suite.js';

// The console's Webhooks page (DESIGN §17) in Chromium: an admin creates an endpoint that points at
// a receiver started here, copies its secret (shown once), sees an event's failed delivery with the
// receiver's answer and the next retry, redelivers it, and rotates the secret.

const ADMIN = { email: 'hooks-admin@example.com', password: 'webhooks console passphrase' };

interface Received { headers: Record<string, string>; body: string }

/** A receiver on loopback: answers 503 to the first request, 204 after, and keeps what it got. */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(received.length === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/portcullis-events`, received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function waitFor(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The delivery row of `eventId` once it shows `status`, refreshing the log until it does. */
async function deliveryRow(page: Page, eventId: string, status: string) {
  const row = page.locator(`[data-testid="deliveries"] tbody tr[data-event="${eventId}"][data-status="${status}"]`);
  for (let i = 0; i < 30 && (await row.count()) === 0; i++) {
    await page.getByRole('button', { name: 'Refresh deliveries' }).click();
    await page.waitForTimeout(500);
  }
  await row.waitFor({ timeout: 1000 });
  return row;
}

describeBrowser('console Webhooks page in Chromium', () => {
  const browser = useBrowser();
  const stack = useStack(browser, (emulator) => ({ policy: { captcha: turnstileVia(emulator.url, { on_every_login: true }) } }));

  it('creates an endpoint, shows its delivery log, redelivers, rotates the secret', async () => {
    const { server } = stack;
    const { tenant } = server;
    const receiver = await startReceiver();
    const context = await humanContext(stack.browser);
    try {
      await createUser(server.deps, { tenant }, { kind: 'operator', id: null }, { ...ADMIN, roles: ['admin'] });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      const page = await context.newPage();
      await page.goto(`${server.url}/admin#/webhooks`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.frameLocator('.portcullis-captcha-slot iframe').getByRole('checkbox', { name: 'I am human' }).click({ timeout: 15_000 });
      await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor({ timeout: 15_000 });
      expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current')).toBe('page');

      // A bad filter is refused by the API, with the field's path.
      await page.getByLabel('URL').fill(receiver.url);
      await page.getByLabel('Events').fill('user.*, nothing.like_this');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const problem = page.locator('.problem[data-code="invalid_request"]');
      await problem.waitFor();
      expect(await problem.textContent()).toContain('events.1');

      await page.getByLabel('Events').fill('user.*');
      await page.getByLabel('Description (optional)').fill('SIEM feed');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const secretPanel = page.locator('[data-testid="webhook-secret"]');
      await secretPanel.waitFor();
      const secret = (await page.locator('[data-testid="webhook-secret-value"]').textContent())!;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      await page.getByRole('button', { name: 'Copy secret' }).click();
      await page.getByRole('status').filter({ hasText: 'Secret copied.' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      const row = page.locator('[data-testid="webhooks"] tbody tr', { hasText: receiver.url });
      expect(await row.locator('td').first().textContent()).toBe('user.*');
      expect(await row.getAttribute('data-status')).toBe('enabled');
      await screenshot(page, 'console-webhooks-secret');
      await expectAccessible(page, 'console webhooks with a new secret');
      await page.getByRole('button', { name: 'I have stored the secret' }).click();
      await secretPanel.waitFor({ state: 'detached' });

      // An event: the dispatcher sends it, the receiver answers 503, the log shows it and the retry.
      await createUser(server.deps, { tenant }, { kind: 'operator', id: null }, { email: 'new.hire@example.com', password: 'a new hire passphrase' });
      await waitFor('the first delivery', () => receiver.received.length === 1);
      const first = receiver.received[0]!;
      const event = new Webhook(secret).verify(first.body, first.headers) as { id: string; type: string };
      expect(event.type).toBe('user.created');
      expect(first.headers['webhook-id']).toBe(event.id);
      await row.getByRole('button', { name: `Deliveries to ${receiver.url}` }).click();
      const failed = await deliveryRow(page, event.id, 'pending');
      const cells = await failed.locator('td').allTextContents();
      expect(cells.slice(0, 3)).toEqual(['pending', '1', '503']);
      expect(cells[4]).not.toBe('—'); // the next retry

      // Redeliver: sent again at once with the same webhook-id, now delivered.
      await failed.getByRole('button', { name: /^Redeliver user.created/ }).click();
      await page.getByRole('status').filter({ hasText: 'Delivery of user.created queued again.' }).waitFor();
      await waitFor('the redelivery', () => receiver.received.length === 2);
      expect(receiver.received[1]!.headers['webhook-id']).toBe(event.id);
      const delivered = await deliveryRow(page, event.id, 'delivered');
      expect((await delivered.locator('td').allTextContents()).slice(0, 4)).toEqual(['delivered', '2', '204', expect.any(String)]);
      await screenshot(page, 'console-webhooks');
      await expectAccessible(page, 'console webhooks with deliveries');

      // Rotate: a new secret, shown once; both sign for 24 h.
      await row.getByRole('button', { name: `Rotate secret of ${receiver.url}` }).click();
      await page.getByRole('heading', { name: `New signing secret of ${receiver.url}: copy it now` }).waitFor();
      const rotated = (await page.locator('[data-testid="webhook-secret-value"]').textContent())!;
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
      expect(await row.locator('td').nth(3).textContent()).toContain('old secret signs until');
      await createUser(server.deps, { tenant }, { kind: 'operator', id: null }, { email: 'second.hire@example.com', password: 'a second hire passphrase' });
      await waitFor('a delivery after the rotation', () => receiver.received.length === 3);
      const third = receiver.received[2]!;
      expect(third.headers['webhook-signature']!.split(' ')).toHaveLength(2);
      expect((new Webhook(rotated).verify(third.body, third.headers) as { type: string }).type).toBe('user.created');
      expect((new Webhook(secret).verify(third.body, third.headers) as { type: string }).type).toBe('user.created');

      // Disable, then delete (two steps): the API agrees.
      await row.getByRole('button', { name: `Disable ${receiver.url}` }).click();
      await page.getByRole('status').filter({ hasText: `Endpoint ${receiver.url} disabled.` }).waitFor();
      await page.locator('[data-testid="webhooks"] tbody tr[data-status="disabled"]', { hasText: receiver.url }).waitFor();
      expect((await server.deps.store.webhooks.list(tenant.id, undefined, 10)).map((w) => w.status)).toEqual(['disabled']);
      await row.getByRole('button', { name: `Delete ${receiver.url}` }).click();
      await row.getByRole('button', { name: `Confirm: delete ${receiver.url} and its deliveries` }).click();
      await page.getByRole('status').filter({ hasText: `Endpoint ${receiver.url} deleted.` }).waitFor();
      await page.getByText('No endpoint yet: events are not sent anywhere.').waitFor();
      expect(await server.deps.store.webhooks.list(tenant.id, undefined, 10)).toEqual([]);
    } finally {
      await context.close();
      await receiver.close();
    }
  }, 180_000);
});
