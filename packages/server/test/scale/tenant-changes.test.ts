/**
 * DESIGN §12 between real processes: "a change to a tenant (policy, feeds, origins, keys) takes
 * effect on every instance within 1 s". The resolver's cache lives 5 s, so an answer that
 * changes within 1 s on the other instance came over the change bus: Redis pub/sub when
 * REDIS_URL is set, PostgreSQL LISTEN/NOTIFY when it is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken, createDeployment, createTenant, describeScale, login, setPolicy, turnstileAt,
  type Deployment, type Instance, type TenantHandle,
} from './support.js';

const PASSWORD = 'correct horse battery staple';
const DEADLINE_MS = 1000;

/** Polls `probe` until it holds; the time from `since` to the first answer that holds, or throws past the deadline. */
async function within(since: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await probe()) return Date.now() - since;
    if (Date.now() - since > DEADLINE_MS * 3) throw new Error(`${what}: not within ${DEADLINE_MS * 3} ms`);
  }
}

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;

describeScale('tenant changes reach every instance', () => {
  for (const bus of ['Redis pub/sub', 'PostgreSQL LISTEN/NOTIFY'] as const) {
    describe(`over ${bus}`, () => {
      let deployment: Deployment;
      let a: Instance;
      let b: Instance;
      let tenant: TenantHandle;
      // Without REDIS_URL an instance keeps counters in memory and announces changes through PostgreSQL.
      const env: Record<string, string> = bus === 'Redis pub/sub' ? {} : { REDIS_URL: '' };

      beforeAll(async () => {
        deployment = await createDeployment();
        const migrated = await deployment.cli(['migrate', '--json'], env);
        expect(migrated.code, migrated.stderr).toBe(0);
        tenant = await createTenant(deployment, 'changes', [{ email: 'fay@example.com', password: PASSWORD }]);
        a = await deployment.start({ env });
        b = await deployment.start({ env });
      }, 90_000);
      afterAll(async () => {
        await deployment?.close();
      });

      it('asks for a captcha on B within 1 s of A turning on "captcha on every login"', async () => {
        // B has resolved (and cached) the tenant under the old policy.
        expect((await login(b.url, tenant, { email: 'fay@example.com', password: PASSWORD })).status).toBe(200);
        await setPolicy(a.url, tenant, { captcha: { ...turnstileAt(a.port), on_every_login: true } });
        const changed = Date.now();
        const elapsed = await within(changed, 'captcha_required on B', async () => {
          const res = await login(b.url, tenant, { email: 'fay@example.com', password: PASSWORD });
          return res.status === 403 && res.body?.error === 'captcha_required';
        });
        console.info(`captcha_required on the other instance ${elapsed} ms after the PUT (${bus})`);
        expect(elapsed).toBeLessThan(DEADLINE_MS);
      });

      it('signs with a key rotated by the CLI on every instance within 1 s', async () => {
        const before = kidOf(await adminToken(b.url, tenant));
        const rotated = await deployment.cli(['keys', 'rotate', '--tenant', tenant.slug, '--json'], env);
        expect(rotated.code, rotated.stderr).toBe(0);
        const kid = rotated.json.kid as string;
        expect(kid).not.toBe(before);
        const done = Date.now();
        const elapsed = await within(done, 'new kid on A and B', async () =>
          kidOf(await adminToken(a.url, tenant)) === kid && kidOf(await adminToken(b.url, tenant)) === kid);
        console.info(`new signing key used by both instances ${elapsed} ms after the CLI exited (${bus})`);
        expect(elapsed).toBeLessThan(DEADLINE_MS);
      });
    });
  }
});
