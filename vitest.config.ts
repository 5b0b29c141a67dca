import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@portcullis/protocol': src('./packages/protocol/src/index.ts'),
      '@portcullis/captcha-emulator': src('./packages/captcha-emulator/src/index.ts'),
      '@portcullis/js': src('./packages/js/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Says once, in one line each, which suites skip and what to set to run them.
    globalSetup: ['packages/server/test/support/skip-notice.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The soak test measures heap after forced collections.
    execArgv: ['--expose-gc'],
  },
});
