import type { Config } from '../config/schema.js';
import { compose } from '../compose.js';
import { buildApp, REDACT_PATHS } from '../http/app.js';
import { emulatorEnabled, productionProblems } from '../config/production-guard.js';
import { tenantProblems } from '../config/tenant-guard.js';
import { createCaptchaEmulator } from '@portcullis/captcha-emulator';
import { ConfigError } from '../config/load.js';
import { seedDemo } from '../services/demo-seed.js';
import { issuerFor } from '../services/deps.js';

/** Where the development captcha emulator is mounted. */
export const EMULATOR_PREFIX = '/__captcha';

/** `portcullis start`: compose, guard, seed (development), serve, and shut down gracefully on a signal. */
export async function start(config: Readonly<Config>): Promise<void> {
  const early = productionProblems(config);
  if (early.length > 0) throw new ConfigError(early);
  const effective = Object.freeze({
    ...config,
    PORTCULLIS_DEFAULT_TENANT: config.PORTCULLIS_DEFAULT_TENANT ?? (config.NODE_ENV === 'production' ? undefined : 'demo'),
  });
  const { deps, close } = await compose(effective, { processMetrics: true });
  const problems = config.NODE_ENV === 'production' ? productionProblems(config, await tenantProblems(deps.store, deps.box)) : [];
  if (problems.length > 0) {
    await close();
    throw new ConfigError(problems);
  }
  const emulator = emulatorEnabled(config) ? createCaptchaEmulator() : undefined;
  const app = await buildApp(deps, {
    logger: { level: config.PORTCULLIS_LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    extend: emulator ? (instance) => emulator.register(instance, { prefix: EMULATOR_PREFIX }) : undefined,
  });
  const seeded = config.NODE_ENV === 'production' ? undefined : await seedDemo(deps, emulator ? EMULATOR_PREFIX : undefined);
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  if (seeded?.credentials) {
    const c = seeded.credentials;
    process.stdout.write([
      '', `Portcullis is running at ${address} (${deps.store.dialect}, data in ${config.PORTCULLIS_DATA_DIR})`,
      `  demo tenant:   ${c.tenant}  (issuer ${issuerFor(effective, c.tenant)})`,
      `  demo user:     ${c.user.email} / ${c.user.password}`,
      ...(c.admin ? [`  demo admin:    ${c.admin.email} / ${c.admin.password}   (console: ${address}/admin)`] : []),
      `  admin app:     client_id ${c.application.client_id}`,
      `                 client_secret ${c.application.client_secret}`,
      `  sign-in page:  ${address}/login`,
      `  API document:  ${address}/openapi.json`, '',
    ].join('\n') + '\n');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
