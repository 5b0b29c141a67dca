import { afterAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load.js';
import { buildMetricsApp } from '../../src/http/app.js';
import { DEFAULT_METRICS_PORT, metricsExposure } from '../../src/http/metrics-exposure.js';
import { createHarness, type Harness } from '../support/harness.js';

const TOKEN = 'metrics-token-0123456789';

// Issue 9 #14: /metrics was open to anyone who could reach the port.
describe('/metrics', () => {
  const harnesses: Harness[] = [];
  const harness = async (env: Record<string, string>) => {
    const h = await createHarness({ env });
    harnesses.push(h);
    return h;
  };
  afterAll(async () => { for (const h of harnesses) await h.close(); });

  it('outside production stays on the main port, open', async () => {
    const h = await harness({});
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE');
  });

  it('in production is not served on the main port, but on a loopback management port', async () => {
    const h = await harness({ NODE_ENV: 'production' });
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
    expect(metricsExposure(h.deps.config)).toEqual({ mainPort: false, listener: { host: '127.0.0.1', port: DEFAULT_METRICS_PORT } });
    const metrics = await buildMetricsApp(h.deps);
    try {
      await metrics.listen({ host: '127.0.0.1', port: 0 });
      const scraped = await fetch(`http://127.0.0.1:${(metrics.server.address() as AddressInfo).port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('# TYPE');
      expect((await fetch(`http://127.0.0.1:${(metrics.server.address() as AddressInfo).port}/api/v1/users`)).status).toBe(404);
    } finally {
      await metrics.close();
    }
  });

  it('in production with PORTCULLIS_METRICS_TOKEN is served on the main port to that bearer only', async () => {
    const h = await harness({ NODE_ENV: 'production', PORTCULLIS_METRICS_TOKEN: TOKEN });
    expect(metricsExposure(h.deps.config)).toEqual({ mainPort: true, token: TOKEN });
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await h.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json()).toEqual({ error: 'unauthorized', message: 'A valid bearer token is required.', request_id: res.headers['x-request-id'] });
    }
    const ok = await h.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE');
  });

  it('takes the port and host from PORTCULLIS_METRICS_PORT / _HOST', () => {
    const config = loadConfig({ NODE_ENV: 'production', PORTCULLIS_METRICS_PORT: '9100', PORTCULLIS_METRICS_HOST: '10.0.0.5' });
    expect(metricsExposure(config)).toEqual({ mainPort: false, listener: { host: '10.0.0.5', port: 9100 } });
    expect(metricsExposure(loadConfig({ PORTCULLIS_METRICS_PORT: '9100' }))).toEqual({ mainPort: true, listener: { host: '127.0.0.1', port: 9100 } });
  });
});
