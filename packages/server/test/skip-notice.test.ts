import { describe, expect, it } from 'vitest';
import { skipNotices } from './support/skip-notice.js';

describe('skip notices', () => {
  it('names the variable to set for each missing service, one line each', () => {
    expect(skipNotices({}, false)).toEqual([
      'skipping the PostgreSQL suites: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them',
      'skipping the Redis suites: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) to run them',
      'skipping the scaled-out suites: they need both TEST_DATABASE_URL and TEST_REDIS_URL',
      'skipping the browser suites: no Chromium at /usr/bin/chromium (apt-get install chromium)',
    ]);
    expect(skipNotices({ TEST_REDIS_URL: 'redis://x' }, true)).toEqual([
      'skipping the PostgreSQL suites: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them',
      'skipping the scaled-out suites: they need both TEST_DATABASE_URL and TEST_REDIS_URL',
    ]);
  });

  it('says once that the Redis Cluster suites skip when redis-server is absent', () => {
    const all = { TEST_DATABASE_URL: 'postgres://x', TEST_REDIS_URL: 'redis://x' };
    expect(skipNotices(all, true, false)).toEqual(['skipping the Redis Cluster suites: no redis-server and redis-cli on the PATH (apt-get install redis-server)']);
  });

  it('says nothing when every service is there', () => {
    expect(skipNotices({ TEST_DATABASE_URL: 'postgres://x', TEST_REDIS_URL: 'redis://x' }, true)).toEqual([]);
  });
});
