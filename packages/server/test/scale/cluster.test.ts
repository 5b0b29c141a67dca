/**
 * Two `portcullis start` processes on one PostgreSQL schema and a three-master Redis Cluster
 * (REDIS_CLUSTER_NODES): the account+IP lock limit holds for the deployment, exactly.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSkipReason, startRedisCluster, type OwnCluster } from '../support/redis-cluster.js';
import { auditEvents, createDeployment, createTenant, describeScale, login, setPolicy, type Deployment, type Instance, type TenantHandle } from './support.js';

const PASSWORD = 'correct horse battery staple';
/** Only the account+IP lockout (limit 10) decides: the score rules that would challenge first are off. */
const LOCKOUT_ONLY = { rules: { account_failures: { points: 0 }, ip_failures: { points: 0 } } };

const skip = clusterSkipReason();

if (skip) {
  describe.skip(`scaled out on a Redis Cluster (${skip})`, () => { it('runs when redis-server is installed', () => {}); });
} else {
  describeScale('scaled out: two instances on PostgreSQL and a Redis Cluster', () => {
    let cluster: OwnCluster;
    let deployment: Deployment;
    let instances: Instance[];
    let tenant: TenantHandle;

    beforeAll(async () => {
      cluster = await startRedisCluster();
      deployment = await createDeployment();
      const migrated = await deployment.cli(['migrate', '--json']);
      expect(migrated.code, migrated.stderr).toBe(0);
      tenant = await createTenant(deployment, 'clustered', [{ email: 'anita@example.com', password: PASSWORD }]);
      const env = { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes.join(',') };
      const first = await deployment.start({ env });
      instances = [first, await deployment.start({ env })];
    }, 120_000);

    afterAll(async () => {
      await deployment?.close();
      await cluster?.stop();
    });

    it('lets exactly the account+IP limit of 100 parallel wrong passwords, over two instances, reach the password check', async () => {
      await setPolicy(instances[0]!.url, tenant, LOCKOUT_ONLY);
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) =>
        login(instances[i % 2]!.url, tenant, { email: 'anita@example.com', password: `wrong-${i}` })));
      const codes = answers.map((a) => `${a.status} ${a.body?.error}`);
      const invalid = codes.filter((c) => c === '401 invalid_credentials').length;
      const locked = codes.filter((c) => c === '429 account_locked').length;
      // A counter call slower than its 500 ms deadline (a loaded machine) fails safe: the attempt is
      // challenged (no captcha provider here: denied) and audited; it never reaches the password check.
      const outages = await auditEvents(instances[0]!.url, tenant, 'security.counter_store_unavailable');
      const denied = codes.filter((c) => c === '403 sign_in_denied').length;
      expect(invalid + locked + denied, `unexpected answers: ${[...new Set(codes)].join(', ')}`).toBe(100);
      expect(denied).toBeLessThanOrEqual(outages.length);
      if (outages.length === 0) expect(invalid).toBe(10);
      else expect(invalid).toBeLessThanOrEqual(10);

      const failed = await auditEvents(instances[1]!.url, tenant, 'user.signed_in.failed');
      expect(failed.filter((e) => e.data['error'] === 'invalid_credentials')).toHaveLength(10);
      for (const instance of instances) {
        const right = await login(instance.url, tenant, { email: 'anita@example.com', password: PASSWORD });
        expect(right.status).toBe(429);
        expect(right.body).toMatchObject({ error: 'account_locked' });
      }

      // The counts live on the cluster, all of this tenant's in one slot of one master.
      const perMaster = await Promise.all(cluster.ports.map(async (port) => {
        const node = new Redis({ port, host: '127.0.0.1' });
        try { return (await node.keys(`portcullis:counters:*{${tenant.id}}*`)).length; } finally { node.disconnect(); }
      }));
      expect(perMaster.filter((n) => n > 0)).toHaveLength(1);
    });
  });
}
