import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCounters } from '../../src/adapters/redis/redis-counters.js';
import { createHarness, type Harness } from '../support/harness.js';
import { freePort } from '../support/tcp-proxy.js';

// Issue 9 #3: with Redis unreachable, CounterStoreUnavailableError reached the error handler raw
// and two management calls answered 500. DESIGN §12: 503 service_unavailable with Retry-After.
describe('management calls that need the counter store while Redis is unreachable', () => {
  let h: Harness;
  let userId = '';
  beforeAll(async () => {
    // A real ioredis client against a port nothing listens on: every command fails fast.
    const counters = createRedisCounters({ url: `redis://127.0.0.1:${await freePort()}`, commandTimeoutMs: 200, connectTimeoutMs: 200, onError: () => {} });
    h = await createHarness({ overrides: { counters } });
    userId = (await h.createUser('locked@example.com', 'correct horse battery')).id;
  });
  afterAll(() => h.close());

  const expect503 = (res: Awaited<ReturnType<Harness['api']>>) => {
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({
      error: 'service_unavailable', message: 'The service is temporarily unavailable.',
      details: { retry_after_s: 5 }, request_id: res.headers['x-request-id'],
    });
  };

  it('POST /api/v1/users/{id}/unlock answers 503 service_unavailable with Retry-After', async () => {
    expect503(await h.api('POST', `/api/v1/users/${userId}/unlock`));
  });

  it('DELETE /api/v1/risk/ips/{ip}/failures answers 503 service_unavailable with Retry-After', async () => {
    expect503(await h.api('DELETE', '/api/v1/risk/ips/203.0.113.9/failures'));
  });
});
