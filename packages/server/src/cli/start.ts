import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import { compose } from '../compose.js';
import { buildApp, buildMetricsApp, REDACT_PATHS } from '../http/app.js';
import { metricsExposure } from '../http/metrics-exposure.js';
import { emulatorEnabled, productionProblems } from '../config/production-guard.js';
import { tenantProblems } from '../services/tenant-guard.js';
import { createCaptchaEmulator } from '@portcullis/captcha-emulator';
import { ConfigError } from '../config/load.js';
import { seedDemo, type DemoCredentials } from '../services/demo-seed.js';
import { issuerFor } from '../services/deps.js';

/** Where the development captcha emulator is mounted. */
export const EMULATOR_PREFIX = '/__captcha';

/** How this process reaches itself: the bound port, on loopback when bound to every interface. */
function selfOriginOf(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** `portcullis start`: compose, guard, seed (development), serve, and shut down gracefully on a signal. */
export async function start(config: Readonly<Config>): Promise<void> {
  const early = productionProblems(config);
  if (early.length > 0) throw new ConfigError(early);
  const effective = Object.freeze({
    ...config,
    PORTCULLIS_DEFAULT_TENANT: config.PORTCULLIS_DEFAULT_TENANT ?? (config.NODE_ENV === 'production' ? undefined : 'demo'),
  });
  let selfOrigin: string | undefined;
  const { deps, close, migrations } = await compose(effective, { processMetrics: true, selfOrigin: () => selfOrigin });
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
  let bannerShown = false;
  await app.listen({
    port: config.PORT, host: config.HOST,
    // Called just before Fastify logs "Server listening": the person at the terminal reads the
    // banner first, not after the first JSON log line.
    listenTextResolver: (text) => {
      if (!bannerShown && seeded?.credentials) process.stdout.write(banner(text, seeded.credentials, effective, deps.store.dialect));
      bannerShown = true;
      return `Server listening at ${text}`;
    },
  });
  selfOrigin = selfOriginOf(app.server.address() as AddressInfo);
  if (migrations.length > 0) app.log.info({ migrations }, `applied ${migrations.length} database migration${migrations.length === 1 ? '' : 's'}: ${migrations.join(', ')}`);
  else app.log.info('database schema is up to date');
  // Production keeps /metrics off the public port: a management listener, loopback by default.
  const metricsListener = metricsExposure(effective).listener;
  const metricsApp = metricsListener ? await buildMetricsApp(deps, { logger: { level: config.PORTCULLIS_LOG_LEVEL } }) : undefined;
  if (metricsApp && metricsListener) app.log.info({ address: await metricsApp.listen(metricsListener) }, 'metrics listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await metricsApp?.close();
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function banner(address: string, c: DemoCredentials, config: Readonly<Config>, dialect: string): string {
  return [
    '', `Portcullis is running at ${address} (${dialect}, data in ${config.PORTCULLIS_DATA_DIR})`,
    `  demo tenant:   ${c.tenant}  (issuer ${issuerFor(config, c.tenant)})`,
    `  demo user:     ${c.user.email} / ${c.user.password}`,
    ...(c.admin ? [`  demo admin:    ${c.admin.email} / ${c.admin.password}   (console: ${address}/admin)`] : []),
    `  admin app:     client_id ${c.application.client_id}`,
    `                 client_secret ${c.application.client_secret}`,
    `  sign-in page:  ${address}/login`,
    `  API document:  ${address}/openapi.json`, '',
  ].join('\n') + '\n';
}
